// The in-isolate bootstrap. NOT a module: the runner reads this file as text and
// compiles it as a classic script in every fresh context, BEFORE the plugin
// bundle runs. Its completion value is `setup`; the runner calls
// `setup(send)` once and keeps the returned `entry` as a host-side Reference.
//
// `send(seq, method, argsJson)` is a plain function (an isolated-vm Callback in
// "ignored" mode: no ivm object). It only lives in this closure; plugin code can
// reach it solely through the frozen `ctx` shim below. Everything the plugin
// can influence here is re-checked in the runner and the supervisor: counts,
// sizes and methods are enforced on the host, not trusted from this file.
(function setup(send) {
  "use strict";

  // Capture intrinsics before plugin code can replace them.
  const G = globalThis;
  const ObjectFreeze = Object.freeze;
  const ObjectCreate = Object.create;
  const ObjectDefineProperty = Object.defineProperty;
  const ObjectGetOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  const ObjectHasOwn = Object.hasOwn;
  const ReflectApply = Reflect.apply;
  const ReflectConstruct = Reflect.construct;
  const JSONParse = JSON.parse;
  const JSONStringify = JSON.stringify;
  const PromiseCtor = Promise;
  const PromiseReject = Promise.reject.bind(Promise);
  const ErrorCtor = Error;
  const StringCtor = String;
  const stringSlice = String.prototype.slice;
  const stringCharCodeAt = String.prototype.charCodeAt;
  const RealDate = G.Date;
  const dateToString = RealDate.prototype.toString;

  // ---- Determinism: the clock and the PRNG are set per call by `entry`. ----
  // Top-level bundle code runs with timestamp 0 and the zero seed.
  let now = 0;
  let ra = 0, rb = 0, rc = 0, rd = 0; // sfc32 state

  function random() {
    ra >>>= 0; rb >>>= 0; rc >>>= 0; rd >>>= 0;
    let t = (ra + rb) | 0;
    ra = rb ^ (rb >>> 9);
    rb = (rc + (rc << 3)) | 0;
    rc = (rc << 21) | (rc >>> 11);
    rd = (rd + 1) | 0;
    t = (t + rd) | 0;
    rc = (rc + t) | 0;
    return (t >>> 0) / 4294967296;
  }
  function reseed(s0, s1, s2, s3) {
    ra = s0 | 0; rb = s1 | 0; rc = s2 | 0; rd = s3 | 0;
    for (let i = 0; i < 12; i++) random();
  }
  reseed(0, 0, 0, 0);
  ObjectDefineProperty(Math, "random", { value: random, writable: true, configurable: true, enumerable: false });

  // A function expression: a hoisted `function Date` would shadow the real one captured above.
  const Date = function Date(...args) {
    if (new.target === undefined) return ReflectApply(dateToString, ReflectConstruct(RealDate, [now]), []);
    return ReflectConstruct(RealDate, args.length === 0 ? [now] : args, new.target);
  };
  ObjectDefineProperty(Date, "length", { value: 7 });
  ObjectDefineProperty(Date, "prototype", { value: RealDate.prototype, writable: false });
  ObjectDefineProperty(Date, "now", { value: function now_() { return now; }, writable: true, configurable: true });
  ObjectDefineProperty(Date.now, "name", { value: "now" });
  ObjectDefineProperty(Date, "parse", { value: RealDate.parse, writable: true, configurable: true });
  ObjectDefineProperty(Date, "UTC", { value: RealDate.UTC, writable: true, configurable: true });
  ObjectDefineProperty(RealDate.prototype, "constructor", { value: Date, writable: true, configurable: true });
  ObjectDefineProperty(G, "Date", { value: Date, writable: true, configurable: true, enumerable: false });

  // Intl.DateTimeFormat#format() / formatToParts() without a date read the real clock.
  const DTFProto = Intl.DateTimeFormat.prototype;
  const formatGetter = ObjectGetOwnPropertyDescriptor(DTFProto, "format").get;
  const formatToParts = DTFProto.formatToParts;
  ObjectDefineProperty(DTFProto, "format", {
    configurable: true,
    get() {
      const bound = ReflectApply(formatGetter, this, []);
      return (date) => bound(date === undefined ? now : date);
    },
  });
  ObjectDefineProperty(DTFProto, "formatToParts", {
    configurable: true,
    writable: true,
    value: function formatToParts_(date) {
      return ReflectApply(formatToParts, this, [date === undefined ? now : date]);
    },
  });

  // Observable GC (WeakRef, FinalizationRegistry) is non-deterministic; shared
  // memory and WebAssembly are not part of the extension API.
  for (const name of ["WeakRef", "FinalizationRegistry", "SharedArrayBuffer", "Atomics", "WebAssembly"]) {
    delete G[name];
  }

  // ---- Typed errors the shim throws (plugins test `e.name` or `e.code`). ----
  class BazaarError extends ErrorCtor {
    constructor(code, message) {
      super(message);
      ObjectDefineProperty(this, "code", { value: code, enumerable: true });
    }
  }
  function errorClass(name) {
    const C = { [name]: class extends BazaarError {} }[name];
    ObjectDefineProperty(C.prototype, "name", { value: name, configurable: true, writable: true });
    ObjectFreeze(C.prototype);
    return ObjectFreeze(C);
  }
  ObjectDefineProperty(BazaarError.prototype, "name", { value: "BazaarError", configurable: true, writable: true });
  ObjectFreeze(BazaarError.prototype);
  ObjectFreeze(BazaarError);
  const ERROR_CLASSES = ObjectCreate(null);
  ERROR_CLASSES.scope = errorClass("ScopeError");
  ERROR_CLASSES.not_found = errorClass("NotFoundError");
  ERROR_CLASSES.limit = errorClass("LimitError");
  ERROR_CLASSES.invalid = errorClass("InvalidArgumentError");
  ERROR_CLASSES.timeout = errorClass("BridgeTimeoutError");
  ERROR_CLASSES.internal = errorClass("HostError");
  const errors = ObjectFreeze({
    BazaarError,
    ScopeError: ERROR_CLASSES.scope,
    NotFoundError: ERROR_CLASSES.not_found,
    LimitError: ERROR_CLASSES.limit,
    InvalidArgumentError: ERROR_CLASSES.invalid,
    BridgeTimeoutError: ERROR_CLASSES.timeout,
    HostError: ERROR_CLASSES.internal,
  });
  function makeError(code, message) {
    const C = ERROR_CLASSES[code];
    return C !== undefined ? new C(code, message) : new ERROR_CLASSES.internal(code, message);
  }

  // ---- The bridge: one function, reachable only through the shim. ----
  const pending = ObjectCreate(null); // seq -> { resolve, reject }
  let seq = 0;
  let logBudget = 0; // characters; the runner enforces the byte cap

  function bridge(method, args) {
    let argsJson;
    try {
      argsJson = JSONStringify(args);
    } catch (e) {
      return PromiseReject(makeError("invalid", "arguments are not JSON-serializable"));
    }
    if (typeof argsJson !== "string") return PromiseReject(makeError("invalid", "arguments are not JSON-serializable"));
    return new PromiseCtor((resolve, reject) => {
      const id = ++seq;
      pending[id] = { resolve, reject };
      send(id, method, argsJson);
    });
  }

  function deliver(id, resultJson) {
    const p = pending[id];
    if (p === undefined) return;
    delete pending[id];
    let r;
    try {
      r = JSONParse(resultJson);
    } catch (e) {
      p.reject(makeError("internal", "malformed host answer"));
      return;
    }
    // Own properties only: a plugin that polluted Object.prototype must not turn an error into a value.
    const own = (o, key) => (o !== null && typeof o === "object" && ObjectHasOwn(o, key) ? o[key] : undefined);
    if (own(r, "ok") === true) {
      p.resolve(own(r, "value"));
      return;
    }
    const err = own(r, "error");
    const code = typeof own(err, "code") === "string" ? err.code : "internal";
    const message = typeof own(err, "message") === "string" ? err.message : code;
    p.reject(makeError(code, message));
  }

  function requireString(what, value) {
    if (typeof value !== "string" || value.length === 0 || value.length > 256) {
      throw makeError("invalid", what + " must be a non-empty string of at most 256 characters");
    }
    return value;
  }
  function call(method, args) {
    return bridge(method, args);
  }
  function callWith(method, check) {
    return function (...args) {
      try {
        check(args);
      } catch (e) {
        return PromiseReject(e);
      }
      return call(method, args);
    };
  }

  function show(v) {
    if (typeof v === "string") return v;
    try {
      const s = JSONStringify(v);
      if (typeof s === "string") return s;
    } catch (e) {
      // fall through
    }
    try {
      return StringCtor(v);
    } catch (e) {
      return "[unprintable]";
    }
  }
  function log(...parts) {
    if (logBudget <= 0) return;
    let line = "";
    for (let i = 0; i < parts.length && line.length <= logBudget; i++) {
      line += (i === 0 ? "" : " ") + show(parts[i]);
    }
    if (line.length > logBudget) line = ReflectApply(stringSlice, line, [0, logBudget]);
    logBudget -= line.length + 1;
    try {
      send(0, "log", line);
    } catch (e) {
      // logging never fails the call
    }
  }
  const consoleShim = ObjectFreeze({ log, info: log, warn: log, error: log, debug: log });
  ObjectDefineProperty(G, "console", { value: consoleShim, writable: true, configurable: true, enumerable: false });

  const ctxShim = ObjectFreeze({
    settings: ObjectFreeze({ get: callWith("settings.get", () => {}) }),
    storage: ObjectFreeze({
      get: callWith("storage.get", (a) => requireString("key", a[0])),
      list: callWith("storage.list", (a) => {
        if (a[0] !== undefined && a[0] !== null && (typeof a[0] !== "string" || a[0].length > 256)) {
          throw makeError("invalid", "prefix must be a string of at most 256 characters");
        }
      }),
      set: callWith("storage.set", (a) => requireString("key", a[0])),
      delete: callWith("storage.delete", (a) => requireString("key", a[0])),
    }),
    customers: ObjectFreeze({ get: callWith("customers.get", (a) => requireString("customer id", a[0])) }),
    orders: ObjectFreeze({ get: callWith("orders.get", (a) => requireString("order id", a[0])) }),
    counters: ObjectFreeze({
      get: callWith("counters.get", (a) => requireString("counter name", a[0])),
      add: callWith("counters.add", (a) => requireString("counter name", a[0])),
    }),
    log,
    errors,
  });

  // ---- The entry point the runner calls. ----
  function describe(e) {
    let msg;
    try {
      if (e !== null && (typeof e === "object" || typeof e === "function")) {
        const name = e.name;
        const message = e.message;
        if (typeof message === "string") {
          msg = typeof name === "string" && name !== "" && name !== "Error" ? name + ": " + message : message;
        } else {
          msg = "a non-Error value was thrown";
        }
      } else if (typeof e === "string") {
        msg = e;
      } else {
        msg = "a non-Error value was thrown";
      }
    } catch (err) {
      msg = "an error was thrown";
    }
    if (typeof msg !== "string") msg = "an error was thrown";
    return msg.length > 1000 ? ReflectApply(stringSlice, msg, [0, 1000]) : msg;
  }

  function utf8Length(s) {
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      const c = ReflectApply(stringCharCodeAt, s, [i]);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = ReflectApply(stringCharCodeAt, s, [i + 1]);
        if (d >= 0xdc00 && d <= 0xdfff) {
          n += 4;
          i++;
        } else n += 3;
      } else n += 3;
    }
    return n;
  }

  async function runHook(hook, inputJson, timestamp, s0, s1, s2, s3, outputCap, logCap) {
    now = timestamp;
    reseed(s0, s1, s2, s3);
    logBudget = logCap;
    let input;
    try {
      input = JSONParse(inputJson);
    } catch (e) {
      return "invalid_input\ninput is not JSON";
    }
    let fn;
    try {
      const plugin = G.__bazaar_plugin;
      const hooks = plugin !== null && typeof plugin === "object" ? plugin.hooks : undefined;
      fn = hooks !== null && typeof hooks === "object" && ObjectHasOwn(hooks, hook) ? hooks[hook] : undefined;
    } catch (e) {
      return "error\n" + describe(e);
    }
    if (typeof fn !== "function") return "error\nthe extension defines no " + JSONStringify(hook) + " hook";
    let result;
    try {
      result = await ReflectApply(fn, undefined, [input, ctxShim]);
    } catch (e) {
      return "error\n" + describe(e);
    }
    let out;
    if (result === undefined) {
      out = "null";
    } else {
      try {
        out = JSONStringify(result);
      } catch (e) {
        return "invalid_output\noutput is not JSON-serializable: " + describe(e);
      }
      if (typeof out !== "string") return "invalid_output\noutput is not JSON-serializable";
    }
    if (out.length > outputCap || (out.length * 3 > outputCap && utf8Length(out) > outputCap)) {
      return "invalid_output\noutput exceeds " + outputCap + " bytes";
    }
    return "ok\n" + out;
  }

  return function entry(kind, a, b, c, d, e, f, g, h, i) {
    if (kind === "deliver") {
      deliver(a, b);
      return undefined;
    }
    if (kind === "call") return runHook(a, b, c, d, e, f, g, h, i);
    return undefined;
  };
});
