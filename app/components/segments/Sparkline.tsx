// A tiny size trend: daily member counts as an inline SVG polyline.
export function Sparkline({ points, width = 100, height = 24 }: { points: number[]; width?: number; height?: number }) {
  if (points.length < 2) return <span aria-label="no trend yet">—</span>;
  const max = Math.max(...points);
  const min = Math.min(...points);
  const span = max - min || 1;
  const xy = points.map((p, i) => `${((i / (points.length - 1)) * width).toFixed(1)},${(height - 2 - ((p - min) / span) * (height - 4)).toFixed(1)}`).join(" ");
  return (
    <svg width={width} height={height} role="img" aria-label={`from ${points[0]} to ${points[points.length - 1]}`}>
      <polyline points={xy} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}
