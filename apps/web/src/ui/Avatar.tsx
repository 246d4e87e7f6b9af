import { hueOf, initials } from '../lib/format.js';

/** A round avatar with initials on a colour of the id's own; a presence dot when known. */
export function Avatar({ id, name, size = 44, online, group }: { id: string; name: string; size?: number; online?: boolean | undefined; group?: boolean }) {
  const hue = hueOf(id);
  return (
    <span class={`avatar${group ? ' avatar-group' : ''}`} style={{ width: `${size}px`, height: `${size}px`, fontSize: `${Math.round(size * 0.38)}px`, background: `hsl(${hue} 62% 52%)` }} aria-hidden="true">
      {initials(name)}
      {online !== undefined && <span class={`presence-dot${online ? ' online' : ''}`} />}
    </span>
  );
}
