/** Risk category and level, coloured by level, with the classifier's confidence. */
export function RiskBadge({ category, level, confidence }: { category: string; level: string; confidence?: number }) {
  const title = confidence === undefined ? `${category}, ${level} risk` : `${category}, ${level} risk, confidence ${Math.round(confidence * 100)}%`;
  return (
    <span className={`badge risk-${level.toLowerCase()}`} title={title}>
      {category} · {level}
      {confidence === undefined ? null : <span className="confidence"> {Math.round(confidence * 100)}%</span>}
    </span>
  );
}

export function EffectBadge({ effect }: { effect: string }) {
  return <span className={`badge effect-${effect}`}>{effect}</span>;
}
