import { z } from 'zod';
import { Id } from './common.js';
import { Limits } from './limits.js';
import { boundedList, hasNul, shortText } from './validate.js';

/** The fields of the moment commands (contract 5), shared by the gateway's edge and seaking. */

const TOO_LARGE = { code: 'too_large' } as const;
const NUL_MESSAGE = 'must not contain NUL characters or unpaired surrogates';

/** Characters as a reader counts them: Unicode code points, so an emoji is one. */
function codePoints(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

/**
 * Free text of a moment or comment: `min`..`max` characters (code points); past `max` is a
 * payload limit (`too_large`); too short, a NUL or an unpaired surrogate is `bad_request`.
 */
export function momentText(min: number, max: number, what: string) {
  return z.string().superRefine((value, ctx) => {
    if (hasNul(value)) {
      ctx.addIssue({ code: 'custom', message: `${what} ${NUL_MESSAGE}` });
      return;
    }
    const length = codePoints(value);
    if (length > max) ctx.addIssue({ code: 'custom', message: `${what} exceeds ${max} characters`, params: TOO_LARGE });
    else if (length < min) ctx.addIssue({ code: 'custom', message: min === 1 ? `${what} must not be empty` : `${what} must have at least ${min} characters` });
  });
}

// The limits are refinements (characters are code points, and past the maximum is
// too_large), so the generated JSON Schemas learn them from these annotations.
export const MomentContent = momentText(0, Limits.momentContentMax, 'content').meta({ maxLength: Limits.momentContentMax });
export const CommentContent = momentText(1, Limits.commentContentMax, 'content').meta({ minLength: 1, maxLength: Limits.commentContentMax });

/** An image of a moment: an absolute http(s) URL of at most 1024 characters. */
export const MomentImage = z.string().superRefine((value, ctx) => {
  if (hasNul(value)) {
    ctx.addIssue({ code: 'custom', message: `an image URL ${NUL_MESSAGE}` });
    return;
  }
  if (value.length > Limits.momentImageUrlMax) {
    ctx.addIssue({ code: 'custom', message: `an image URL exceeds ${Limits.momentImageUrlMax} characters`, params: TOO_LARGE });
    return;
  }
  if (!isHttpUrl(value)) ctx.addIssue({ code: 'custom', message: 'an image must be an absolute http or https URL' });
});

function isHttpUrl(value: string): boolean {
  if (!/^https?:\/\//i.test(value)) return false;
  try {
    return new URL(value).hostname !== '';
  } catch {
    return false;
  }
}

export const MomentImages = boundedList(MomentImage.meta({ format: 'uri', maxLength: Limits.momentImageUrlMax }), Limits.momentImagesMax, 'images').meta({ maxItems: Limits.momentImagesMax });

export const MomentLocationSchema = z.object({
  name: shortText(1, Limits.locationNameMax),
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
});

export const MomentVisibilitySchema = z.enum(['public', 'friends', 'private']);

export const MomentPageLimit = z.number().int().min(1).max(Limits.momentPageMax);

/** Where a page of moments ends: the next page holds what sorts after it. */
export interface MomentPosition {
  created_at: number;
  moment_id: string;
}

const CURSOR_TEXT = /^(0|[1-9][0-9]{0,15})\.([\s\S]{1,64})$/;
const BASE64URL = /^[A-Za-z0-9_-]{1,200}$/;

/**
 * A page cursor: base64url of `created_at.moment_id`, the last moment of the page. Opaque to
 * clients; not signed, because a forged one only moves within what the caller may see.
 */
export function encodeMomentCursor(p: MomentPosition): string {
  const bytes = new TextEncoder().encode(`${p.created_at}.${p.moment_id}`);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The position a cursor names, or undefined when it is not one this server gave out. */
export function decodeMomentCursor(cursor: string): MomentPosition | undefined {
  if (!BASE64URL.test(cursor)) return undefined;
  let text: string;
  try {
    const binary = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    text = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
  const match = CURSOR_TEXT.exec(text);
  if (!match) return undefined;
  const position = { created_at: Number(match[1]), moment_id: match[2]! };
  if (!Number.isSafeInteger(position.created_at) || hasNul(position.moment_id)) return undefined;
  // One spelling per position: anything else was not made by encodeMomentCursor.
  return encodeMomentCursor(position) === cursor ? position : undefined;
}

/** A cursor as a client sends it back: checked to be one, still opaque. */
export const MomentCursor = z
  .string()
  .refine((v) => decodeMomentCursor(v) !== undefined, 'is not a cursor this server gave out')
  .meta({ description: 'the next_cursor of the previous page' });

/** What `post_moment` carries; a moment needs some text or at least one image. */
export const PostMomentFields = z
  .object({
    content: MomentContent,
    images: MomentImages.optional(),
    location: MomentLocationSchema.nullable().optional(),
    visibility: MomentVisibilitySchema,
  })
  .refine((m) => m.content !== '' || (m.images?.length ?? 0) > 0, { message: 'a moment needs content or at least one image', path: ['content'] });

/** What `comment_moment` carries. */
export const CommentMomentFields = z.object({
  moment_id: Id,
  content: CommentContent,
  reply_to_comment_id: Id.nullable().optional(),
});

/** A page request of `get_timeline` and `get_user_moments`. */
export const MomentPageFields = {
  before: MomentCursor.optional(),
  limit: MomentPageLimit.optional(),
};
