// paysign's JavaScript layer, sdk-wasm/js/api/ (layout: scripts/build-wasm.sh): options.
//
// The JavaScript type checks of options objects and their values, shared by every class
// and function: each returns the checked value or throws a TypeError that names the option
// and says what to pass. Whether a value is valid for the platform (a profile name, a sign
// type, a time window) is the core's decision, not made here. Imports nothing.

/** `options` as an object (`{}` when undefined); `what` names the call in the error. */
export function optionsObject(options, what) {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`${what} options must be an object (got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options})`);
  }
  return options;
}

/** `options[name]`, a string or undefined. */
export function optionalString(options, name) {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new TypeError(`options.${name} must be a string (got ${typeof value})`);
  return value;
}

/** `options[name]`, a boolean; undefined is `false`. */
export function optionalBoolean(options, name) {
  const value = options[name];
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new TypeError(`options.${name} must be true or false (got ${typeof value})`);
  return value;
}

/** Refuses an option not in `allowed` (a misspelt option would otherwise be ignored). */
export function checkKeys(opts, allowed, what) {
  for (const key of Object.keys(opts)) {
    if (!allowed.includes(key)) {
      throw new TypeError(`${what}: unknown option ${JSON.stringify(key)} (expected one of ${allowed.join(', ')})`);
    }
  }
}

/** A clock reading in Unix seconds; undefined is the system clock. */
export function nowOf(now, where) {
  if (now === undefined) return Date.now() / 1000;
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new TypeError(`${where} must be a finite number of Unix seconds (default Date.now() / 1000)`);
  }
  return now;
}

/** An amount in fen; wasm refuses anything but a safe integer ≥ 0 (AMOUNT_INVALID). */
export function fenOf(value, where) {
  if (typeof value !== 'number') {
    throw new TypeError(`${where} must be a number of fen (got ${value === null ? 'null' : typeof value}); for yuan text use parseYuan('12.34')`);
  }
  return value;
}

/** `opts[name]`, a number of seconds or undefined. */
export function secondsOf(opts, name) {
  const value = opts[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new TypeError(`options.${name} must be a number of seconds (got ${value === null ? 'null' : typeof value})`);
  return value;
}

/** A non-empty array of sign type names, copied; undefined is `[]` (the profile's default). */
export function signTypeList(value, where) {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length === 0 || value.some((s) => typeof s !== 'string')) {
    throw new TypeError(`${where} must be a non-empty array of sign type names, e.g. ['RSA2']`);
  }
  return value.slice();
}

/** The [id, value] entries of a Record, a Map or an array of pairs; never empty. */
export function entriesOf(value, where) {
  let entries;
  if (value instanceof Map) entries = [...value];
  else if (Array.isArray(value)) entries = value;
  else if (value !== null && typeof value === 'object') entries = Object.entries(value);
  else throw new TypeError(`${where} must be an object, a Map or an array of [id, value] pairs`);
  entries.forEach((entry, i) => {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string') {
      throw new TypeError(`${where}: entry ${i} must be an [id, value] pair with a string id`);
    }
  });
  if (entries.length === 0) throw new TypeError(`${where} is empty`);
  return entries;
}
