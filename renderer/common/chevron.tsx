// A chevron that points the way of reading: "forward" to the end of the line, "back" to its
// start. The glyph is laid out left to right and mirrored by CSS in right-to-left pages; left
// to the bidi algorithm it would be mirrored a second time and point the wrong way.
export function Chevron({ to, className }: { to: 'forward' | 'back'; className?: string }) {
  return (
    <span className={`chevron-glyph ${className ?? ''}`} aria-hidden="true">
      {to === 'forward' ? '›' : '‹'}
    </span>
  );
}
