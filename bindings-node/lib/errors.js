'use strict';
// The error classes of docs/errors.md, made at load from the Rust core's error table
// (`native.tables()`: one row per class with its code, parent, default `maybe_delivered`,
// attributes and summary), so JS restates none of it. The native module
// never throws for a library error: it hands back a payload whose details name one of
// these classes, and `fromPayload` turns it into an instance (one mapping, for every kind).
// index.d.ts declares the same classes for TypeScript; test/drift.test.js keeps it equal to
// the table.

const native = require('./native.js');

/** The core's lists (error table, locales, option defaults, field names). */
const TABLES = JSON.parse(native.tables());

/** The core's error table, parents first. */
const TABLE = Object.freeze(
  TABLES.errors.map(([code, className, parentClassName, defaultMaybeDelivered, attributes, summary]) =>
    Object.freeze({ code, className, parentClassName, defaultMaybeDelivered, attributes, summary }),
  ),
);

/** Snake_case fields every error carries (null when its kind does not set them). */
const FIELDS = Object.freeze(TABLES.error_attributes);

/** A class named `name` (so stack traces and `err.constructor.name` read naturally). */
function named(name, cls) {
  Object.defineProperty(cls, 'name', { value: name });
  // Not enumerable (the default), as on Error.prototype.
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true });
  return cls;
}

/** The root class (the table's row without a parent). */
function root(name) {
  return named(
    name,
    class extends Error {
      /**
       * @param {string} message
       * @param {object} [details] `code`, `maybe_delivered`, `attempts` and the snake_case fields
       * @param {{ cause?: unknown }} [options]
       */
      constructor(message, details = {}, options = undefined) {
        super(message, options);
        this.code = details.code ?? new.target.code;
        this.maybe_delivered = details.maybe_delivered ?? new.target.defaultMaybeDelivered;
        for (const field of FIELDS) this[field] = details[field] ?? null;
        this.attempts = details.attempts ?? 0;
      }
    },
  );
}

/** Every class, by name, in table order. */
const classes = {};
for (const row of TABLE) {
  const cls =
    row.parentClassName == null ? root(row.className) : named(row.className, class extends classes[row.parentClassName] {});
  Object.defineProperty(cls, 'code', { value: row.code });
  Object.defineProperty(cls, 'defaultMaybeDelivered', { value: row.defaultMaybeDelivered });
  classes[row.className] = cls;
}
Object.freeze(classes);

const ROOT = classes[TABLE.find((row) => row.parentClassName == null).className];

/** A native error payload (its details as JSON text) as an instance of its class, with the
 * operating-system error behind a network failure as `cause`, shaped like Node's own. */
function fromPayload(p) {
  const details = JSON.parse(p.details);
  // The classes come from the same table as the details' class_name; the root is only a
  // guard against a payload of a mismatched native build.
  const cls = Object.hasOwn(classes, details.class_name) ? classes[details.class_name] : ROOT;
  let cause;
  if (details.cause_message != null) {
    cause = new Error(details.cause_message);
    if (details.cause_class != null) cause.code = details.cause_class;
  }
  const error = new cls(details.message, details, cause === undefined ? undefined : { cause });
  // The stack starts at the caller of the binding, not inside it.
  Error.captureStackTrace(error, fromPayload);
  return error;
}

module.exports = { ...classes, classes, fromPayload, FIELDS, TABLE, TABLES };
