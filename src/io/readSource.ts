/**
 * Reading a target as text, refusing (exit 2) what is not a readable UTF-8 text file. The bytes
 * are kept so that a write can later prove the file did not change under us.
 */
import { isUtf8 } from 'node:buffer';
import { readFileSync, statSync } from 'node:fs';
import { badInput } from '../errors.js';
import { lineNumberAt } from '../text/lines.js';
import { describeFsError } from './fsErrors.js';

export interface SourceFile {
  path: string; // as the user gave it (or as found in a checkout)
  bytes: Buffer;
  text: string; // a UTF-8 BOM, if any, stays as U+FEFF at index 0
}

export function readSource(path: string): SourceFile {
  const stat = statOrExplain(path);
  if (stat.isDirectory()) throw badInput(path, 'is a folder, not a file');
  if (!stat.isFile()) throw badInput(path, 'not a regular file (a FIFO, socket or device cannot be patched)');
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw badInput(path, `cannot read: ${describeFsError(error)}`);
  }
  return { path, bytes, text: decodeText(path, bytes) };
}

export function decodeText(path: string, bytes: Buffer): string {
  if (bytes.includes(0)) throw badInput(path, 'binary content (NUL bytes), not a Python or YAML text file');
  // Checked natively before decoding: toString would replace bad bytes silently. A BOM stays (U+FEFF).
  if (!isUtf8(bytes)) throw badInput(path, `not valid UTF-8 text (first bad byte near offset ${firstInvalidUtf8(bytes)})`);
  const text = bytes.toString('utf8');
  // Python reads a lone CR as a line break, tree-sitter does not: the parse would not be the
  // program Python runs (code after a CR in a comment would be hidden from us), so refuse it.
  // (Most files hold no CR at all: a native search for one spares the regular expression.)
  const loneCr = text.includes('\r') ? text.search(/\r(?!\n)/) : -1;
  if (loneCr !== -1) {
    // Every CR before the first lone one is part of a CRLF, so counting LFs counts the lines.
    const line = lineNumberAt(text, loneCr);
    throw badInput(path, `line ${line} ends with a lone CR (classic Mac OS line break); convert the file to LF or CRLF line endings`);
  }
  return text;
}

function firstInvalidUtf8(bytes: Buffer): number {
  let low = 0;
  let high = bytes.length;
  while (high - low > 1) {
    const mid = (low + high) >> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      low = mid;
    } catch {
      high = mid;
    }
  }
  return low;
}

export function statOrExplain(path: string) {
  try {
    return statSync(path);
  } catch (error) {
    throw badInput(path, describeFsError(error));
  }
}
