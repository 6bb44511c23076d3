"""`python -m verl_critic_patch ARGS`: the same as the `verl-critic-patch` console script."""
import sys

from verl_critic_patch import main

sys.exit(main())
