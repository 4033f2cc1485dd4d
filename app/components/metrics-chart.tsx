/**
 * Small inline SVG charts of an extension's metrics over time (calls with
 * failures, latency p50/p95, error rate): plain elements rendered on the
 * server, no chart library and no client code.
 */
type Bucket = { at: string; calls: number; faults: number; errorRate: number; p50Ms: number | null; p95Ms: number | null };

const W = 640;
const H = 140;
const PAD = { left: 44, right: 8, top: 10, bottom: 22 };
const innerW = W - PAD.left - PAD.right;
const innerH = H - PAD.top - PAD.bottom;

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

function label(iso: string, bucketSeconds: number): string {
  return bucketSeconds >= 86_400 ? iso.slice(5, 10) : iso.slice(11, 16);
}

function Frame({ title, max, unit, buckets, bucketSeconds, children }: { title: string; max: number; unit: string; buckets: Bucket[]; bucketSeconds: number; children: React.ReactNode }) {
  const ticks = [0, max / 2, max];
  const every = Math.max(1, Math.ceil(buckets.length / 6));
  return (
    <figure style={{ margin: "0 0 1rem" }}>
      <figcaption className="small" style={{ fontWeight: 600 }}>
        {title}
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={title} style={{ maxWidth: W, display: "block" }}>
        {ticks.map((t) => {
          const y = PAD.top + innerH - (t / max) * innerH;
          return (
            <g key={t}>
              <line x1={PAD.left} x2={W - PAD.right} y1={y} y2={y} stroke="#e4e4e7" />
              <text x={PAD.left - 4} y={y + 3} fontSize="10" textAnchor="end" fill="#71717a">
                {Number.isInteger(t) ? t : t.toFixed(1)}
                {unit}
              </text>
            </g>
          );
        })}
        {buckets.map((b, i) =>
          i % every === 0 ? (
            <text key={b.at} x={PAD.left + ((i + 0.5) / buckets.length) * innerW} y={H - 6} fontSize="10" textAnchor="middle" fill="#71717a">
              {label(b.at, bucketSeconds)}
            </text>
          ) : null,
        )}
        {children}
      </svg>
    </figure>
  );
}

/** A dot per value: a bucket between two empty ones has no line to sit on. */
function Dots({ values, max, color }: { values: (number | null)[]; max: number; color: string }) {
  return (
    <>
      {values.map((v, i) =>
        v === null ? null : (
          <circle key={i} cx={PAD.left + ((i + 0.5) / values.length) * innerW} cy={PAD.top + innerH - (Math.min(v, max) / max) * innerH} r="2.5" fill={color}>
            <title>{v.toFixed(1)}</title>
          </circle>
        ),
      )}
    </>
  );
}

function linePath(values: (number | null)[], max: number): string {
  let d = "";
  let pen = false;
  values.forEach((v, i) => {
    if (v === null) {
      pen = false;
      return;
    }
    const x = PAD.left + ((i + 0.5) / values.length) * innerW;
    const y = PAD.top + innerH - (Math.min(v, max) / max) * innerH;
    d += `${pen ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`;
    pen = true;
  });
  return d;
}

/**
 * @example <MetricsCharts buckets={metrics.buckets} bucketSeconds={metrics.bucketSeconds} />
 */
export function MetricsCharts({ buckets, bucketSeconds }: { buckets: Bucket[]; bucketSeconds: number }) {
  const n = Math.max(1, buckets.length);
  const barW = innerW / n;
  const callsMax = niceMax(Math.max(0, ...buckets.map((b) => b.calls)));
  const latMax = niceMax(Math.max(0, ...buckets.map((b) => b.p95Ms ?? 0)));
  return (
    <div>
      <Frame title="Calls (red: failed)" max={callsMax} unit="" buckets={buckets} bucketSeconds={bucketSeconds}>
        {buckets.map((b, i) => {
          const h = (b.calls / callsMax) * innerH;
          const hf = (b.faults / callsMax) * innerH;
          const x = PAD.left + i * barW + barW * 0.1;
          return (
            <g key={b.at}>
              <rect x={x} y={PAD.top + innerH - h} width={barW * 0.8} height={h} fill="#93c5fd">
                <title>{`${b.at}: ${b.calls} calls, ${b.faults} failed`}</title>
              </rect>
              {hf > 0 ? <rect x={x} y={PAD.top + innerH - hf} width={barW * 0.8} height={hf} fill="#ef4444" /> : null}
            </g>
          );
        })}
      </Frame>
      <Frame title="Latency (blue: p50, orange: p95)" max={latMax} unit=" ms" buckets={buckets} bucketSeconds={bucketSeconds}>
        <path d={linePath(buckets.map((b) => b.p50Ms), latMax)} fill="none" stroke="#2563eb" strokeWidth="2" />
        <path d={linePath(buckets.map((b) => b.p95Ms), latMax)} fill="none" stroke="#f97316" strokeWidth="2" />
        <Dots values={buckets.map((b) => b.p50Ms)} max={latMax} color="#2563eb" />
        <Dots values={buckets.map((b) => b.p95Ms)} max={latMax} color="#f97316" />
      </Frame>
      <Frame title="Error rate" max={100} unit="%" buckets={buckets} bucketSeconds={bucketSeconds}>
        <path d={linePath(buckets.map((b) => (b.calls ? b.errorRate * 100 : null)), 100)} fill="none" stroke="#dc2626" strokeWidth="2" />
        <Dots values={buckets.map((b) => (b.calls ? b.errorRate * 100 : null))} max={100} color="#dc2626" />
      </Frame>
    </div>
  );
}
