/**
 * Where the console puts the images of replies: one temporary folder (`<tmp>/ftchatops-XXXXXX`),
 * made on the first image and removed with everything in it on `removeAll()` or when the process
 * exits, so a demo leaves nothing behind.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReplyImage } from '../chat/reply.js';

export interface ConsoleImageFiles {
  /** Writes an image to the folder; resolves with its path, or undefined once removed (stopped). */
  write(image: ReplyImage): Promise<string | undefined>;
  /** Removes the folder and its files (synchronously, so it also works in an exit handler); idempotent. */
  removeAll(): void;
}

/** A file name safe on any file system, keeping the image's own name recognisable. */
function safeFileName(fileName: string): string {
  const cleaned = fileName.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  return cleaned || 'image.png';
}

/** Creates the image folder lazily under `parent` (the OS temp folder by default). */
export function createConsoleImageFiles(parent: string = tmpdir()): ConsoleImageFiles {
  let folder: Promise<string> | undefined;
  let made: string | undefined;
  let removed = false;
  let count = 0;
  const onExit = () => removeAll();

  function removeAll(): void {
    removed = true;
    process.off('exit', onExit);
    if (made !== undefined) rmSync(made, { recursive: true, force: true });
    made = undefined;
  }

  return {
    async write(image) {
      if (removed) return undefined;
      folder ??= mkdtemp(join(parent, 'ftchatops-')).then((path) => {
        made = path;
        if (!removed) process.on('exit', onExit);
        return path;
      });
      const path = await folder;
      // Stopped while the folder was being made: it is removed here, not written into.
      if (removed) {
        rmSync(path, { recursive: true, force: true });
        return undefined;
      }
      count += 1;
      const file = join(path, `${count}-${safeFileName(image.fileName)}`);
      try {
        await writeFile(file, image.png);
      } catch (error) {
        // Removed under us (stop during the write): no file, no path.
        if (removed) return undefined;
        throw error;
      }
      if (removed) {
        rmSync(path, { recursive: true, force: true });
        return undefined;
      }
      return file;
    },
    removeAll,
  };
}
