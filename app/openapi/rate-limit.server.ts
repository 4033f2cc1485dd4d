/**
 * Per-install rate limits as a leaky bucket, computed with GCRA (the
 * "generic cell rate algorithm"): one number per install, the theoretical
 * arrival time (TAT) of the next request. A request at `now` is allowed when
 * `TAT + T − burst·T ≤ now` (T = 1 s / rate), and moves TAT to
 * `max(TAT, now) + T`. That is exactly a bucket of `burst` requests that
 * drains at `rate` per second, without a timer or a counter per second.
 *
 * With Redis the TAT lives there and one Lua script reads and writes it
 * atomically using Redis's clock, so N web processes share one limit.
 * Without Redis (the embedded mode runs one process) it lives in a Map.
 * If Redis stops answering, the process falls back to its own Map rather
 * than refusing every API call.
 */
import { Redis } from "ioredis";

export type RateLimit = { burst: number; perSecond: number };

/** DESIGN.md: burst 40, 2 requests/s, configurable per install (`api_rate_limits`). */
export const DEFAULT_RATE_LIMIT: RateLimit = Object.freeze({ burst: 40, perSecond: 2 });

export type RateDecision = {
  allowed: boolean;
  /** RateLimit-Limit: the bucket size */
  limit: number;
  /** RateLimit-Remaining: requests that could be made right now */
  remaining: number;
  /** RateLimit-Reset: seconds until the bucket is full again */
  resetSeconds: number;
  /** Retry-After, when refused */
  retryAfterSeconds: number;
};

export interface RateLimiter {
  readonly kind: "redis" | "memory";
  take(installId: string, limit: RateLimit): Promise<RateDecision>;
  close(): Promise<void>;
}

function decide(tatMs: number, nowMs: number, limit: RateLimit): { decision: RateDecision; newTat: number | null } {
  const interval = 1000 / limit.perSecond;
  const tat = Math.max(tatMs, nowMs);
  const newTat = tat + interval;
  const allowAt = newTat - limit.burst * interval;
  if (nowMs < allowAt) {
    return {
      decision: {
        allowed: false,
        limit: limit.burst,
        remaining: 0,
        resetSeconds: Math.ceil((tat - nowMs) / 1000),
        retryAfterSeconds: Math.max(1, Math.ceil((allowAt - nowMs) / 1000)),
      },
      newTat: null,
    };
  }
  return {
    decision: {
      allowed: true,
      limit: limit.burst,
      remaining: Math.floor((nowMs - allowAt) / interval),
      resetSeconds: Math.ceil((newTat - nowMs) / 1000),
      retryAfterSeconds: 0,
    },
    newTat,
  };
}

/** The in-process bucket (embedded mode, tests without Redis, and the fallback when Redis fails). */
export function createMemoryRateLimiter(now: () => number = Date.now): RateLimiter {
  const tats = new Map<string, number>();
  let sweeps = 0;
  return {
    kind: "memory",
    async take(installId, limit) {
      const t = now();
      const { decision, newTat } = decide(tats.get(installId) ?? t, t, limit);
      if (newTat !== null) tats.set(installId, newTat);
      // forget full buckets now and then, so the map does not grow with every install ever seen
      if (++sweeps % 10_000 === 0) for (const [k, v] of tats) if (v < t) tats.delete(k);
      return decision;
    },
    async close() {},
  };
}

/**
 * KEYS[1] the install's TAT; ARGV: interval ms, burst. Uses Redis's clock
 * (TIME), so web processes with skewed clocks agree. Returns
 * {allowed, remaining, reset ms, retry-after ms, limit}.
 */
const GCRA_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - burst * interval
if now < allow_at then
  return {0, 0, math.ceil(tat - now), math.ceil(allow_at - now)}
end
redis.call('SET', KEYS[1], tostring(new_tat), 'PX', math.max(1, math.ceil(new_tat - now)))
return {1, math.floor((now - allow_at) / interval), math.ceil(new_tat - now), 0}
`;

type GcraRedis = Redis & { bazaarGcra(key: string, interval: string, burst: string): Promise<[number, number, number, number]> };

export function createRedisRateLimiter(redisUrl: string, opts: { prefix?: string } = {}): RateLimiter {
  const prefix = opts.prefix ?? "bazaar:api:rl:";
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: true, connectTimeout: 2_000 }) as GcraRedis;
  redis.defineCommand("bazaarGcra", { numberOfKeys: 1, lua: GCRA_LUA });
  let warned = false;
  redis.on("error", (e: Error) => {
    if (!warned) console.warn(`[openapi] rate-limit redis: ${e.message} (falling back to in-process limits)`);
    warned = true;
  });
  const fallback = createMemoryRateLimiter();
  return {
    kind: "redis",
    async take(installId, limit) {
      try {
        const [allowed, remaining, resetMs, retryMs] = await redis.bazaarGcra(`${prefix}${installId}`, String(1000 / limit.perSecond), String(limit.burst));
        return {
          allowed: allowed === 1,
          limit: limit.burst,
          remaining: Number(remaining),
          resetSeconds: Math.ceil(Number(resetMs) / 1000),
          retryAfterSeconds: allowed === 1 ? 0 : Math.max(1, Math.ceil(Number(retryMs) / 1000)),
        };
      } catch (e) {
        if (!warned) console.warn(`[openapi] rate-limit redis failed: ${e instanceof Error ? e.message : String(e)} (in-process limits meanwhile)`);
        warned = true;
        return fallback.take(installId, limit);
      }
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
