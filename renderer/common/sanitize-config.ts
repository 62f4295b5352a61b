// What store-configured HTML may contain on a public screen: inline formatting only, and no
// attribute that can run code or load anything (no src, href, style, srcset, on*).
export const SANITIZE_CONFIG = {
  ALLOWED_TAGS: [
    'b',
    'strong',
    'i',
    'em',
    'u',
    's',
    'small',
    'big',
    'mark',
    'sub',
    'sup',
    'br',
    'span',
    'p',
    'div',
  ],
  ALLOWED_ATTR: ['class', 'lang', 'dir'],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  KEEP_CONTENT: true,
  RETURN_TRUSTED_TYPE: false,
};
