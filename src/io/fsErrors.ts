/**
 * File-system errors in people's words. Every message of this tool that is about a failed file
 * operation says it the same way, through describeFsError; errnoCode is for deciding what to do.
 */

/** The errno code of a Node.js file-system error (`ENOENT`...), or `unknown error`. */
export function errnoCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
}

/** A short human reason for a file-system error, without Node's stack or syscall noise. */
export function describeFsError(error: unknown): string {
  switch (errnoCode(error)) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a parent of this path is not a folder';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on device';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
