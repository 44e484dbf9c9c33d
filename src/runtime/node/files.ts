/** File reading for the Node entry points (Workers have no file system). */
import { readFile } from 'node:fs/promises';

/** A file's text, or null when it does not exist (rules files are optional). */
export async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
