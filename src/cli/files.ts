/**
 * The CLI's files: reading --input and --load, and writing --save safely. Every failure is a
 * UserError that names the flag, the path and what is wrong, in plain words.
 */
import { closeSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { UserError } from '../errors.ts';

/**
 * The folder the command was typed in, which relative paths are taken from: `npm run makemore`
 * runs in the project root and says where it was typed in INIT_CWD.
 */
export function userDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env.npm_lifecycle_event === 'makemore' && env.INIT_CWD ? env.INIT_CWD : process.cwd();
}

/** A path as the user typed it → the file it names. Messages show it as typed. */
export function userPath(path: string): string {
  return resolve(userDirectory(), path);
}

/** What an fs error code means for the user. */
function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'no such file';
    case 'EISDIR': return 'is a directory, not a file';
    case 'ENOTDIR': return 'a part of the path is a file, not a folder';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'EROFS': return 'read-only file system';
    case 'ENOSPC': return 'no space left on the device';
    case 'EDQUOT': return 'disk quota exceeded';
    default: return (e as Error).message;
  }
}

/** A file's bytes; a missing file, a directory or an unreadable one is a UserError naming the path. */
export function readUserFile(path: string): Buffer {
  try {
    const file = userPath(path);
    if (statSync(file).isDirectory()) throw new UserError(`${path}: is a directory, not a file`);
    return readFileSync(file);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${path}: ${reason(e)}`);
  }
}

/** The temporary file a save goes through: beside the target, so the rename stays on one file system. */
function tempPath(file: string): string {
  return join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
}

/**
 * Before training: can `path` be written? Its folder must exist and take new files, and the
 * path must not be a directory. Throws a UserError naming `flag` and the path.
 */
export function checkWritable(flag: string, path: string): void {
  if (path === '') throw new UserError(`${flag} needs a file name, got ""`);
  const fail = (why: string): never => { throw new UserError(`${flag} ${path}: ${why}`); };
  const file = userPath(path);
  let target;
  try {
    target = statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') fail('a part of the path is a file, not a folder');
    if (code !== 'ENOENT') fail(reason(e));
  }
  if (target?.isDirectory()) fail('is a directory; give the name of a file to write');
  const folder = dirname(path);
  try {
    if (!statSync(dirname(file)).isDirectory()) fail(`${folder} is a file, not a folder`);
  } catch (e) {
    if (e instanceof UserError) throw e;
    fail((e as NodeJS.ErrnoException).code === 'ENOENT' ? `the folder ${folder} does not exist` : reason(e));
  }
  // Try what the save will do: create a file beside it (permissions alone do not tell, e.g. for root).
  const probe = tempPath(file);
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (e) {
    fail(`cannot create files in ${folder} (${reason(e)})`);
  }
  unlinkSync(probe);
}

/**
 * Write `text` to `path` through a temporary file beside it, renamed over it once complete:
 * a failure (a full disk, a Ctrl-C) never leaves a truncated file in place of the old one.
 */
export function writeFileAtomic(flag: string, path: string, text: string): void {
  const file = userPath(path);
  const temp = tempPath(file);
  try {
    writeFileSync(temp, text);
    renameSync(temp, file);
  } catch (e) {
    try { unlinkSync(temp); } catch { /* never created */ }
    throw new UserError(`${flag} ${path}: cannot write the model (${reason(e)})`);
  }
}
