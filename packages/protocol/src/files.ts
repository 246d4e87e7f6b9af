import { z } from 'zod';
import { Limits } from './limits.js';
import { shortText } from './validate.js';

/** Inputs of the gateway's file API (contract section 9). */

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * A file's name as shown to downloaders: 1–255 characters, no NUL or other control
 * character, no path separator, not "." or "..". It is only ever shown, never used as a
 * path, but a name that looks like a path would mislead whoever saves it.
 */
export const FileName = shortText(1, Limits.fileNameMax)
  .refine((v) => !CONTROL.test(v), 'must not contain control characters')
  .refine((v) => !/[/\\]/.test(v), 'must not contain "/" or "\\"')
  .refine((v) => v !== '.' && v !== '..', 'must not be "." or ".."');

/** A media type `type/subtype`, parameters dropped, lower case. */
export const MediaType = z
  .string()
  .max(Limits.mimeMax)
  .transform((v) => v.split(';')[0]!.trim().toLowerCase())
  .refine((v) => /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(v), 'must be a media type such as image/png');

export const UploadQuery = z.object({ name: FileName });

/** What a file URL's path looks like: the last segment is the file id. */
export const FILE_PATH_PREFIX = '/api/files/';

/** The file id a URL points at when it is one of ours (any host), else undefined. */
export function fileIdOfUrl(url: string): string | undefined {
  const m = /^(?:[a-z][a-z0-9+.-]*:\/\/[^/?#]*)?\/api\/files\/(f[0-9a-z]{10,62})(?:[?#].*)?$/i.exec(url);
  return m?.[1];
}
