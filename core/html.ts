// HTML escaping for every server-rendered page (admin, console, citizen app, start page). Pure.

/** Text or attribute value → safe HTML. */
export const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
