// The JSON the app builds records from. Object fields may be undefined: records leave as JSON
// text, which drops them, so the per-event path needs no pass to strip them.
export type Json = null | boolean | number | string | Json[] | JsonObject;
export type JsonObject = { [key: string]: Json | undefined };
