/**
 * A request header as one string, by one rule.
 *
 * Node's parser already hands over every repeated field as one value joined with `, `
 * (RFC 9110 §5.3), except the fields that may appear only once (Content-Type, Content-Length,
 * Authorization, Host, If-Modified-Since, If-Unmodified-Since, ETag, Expires …), of which it
 * keeps the first. The one field it hands over as an array (`set-cookie`), and an array in a
 * header object built by hand, is joined the same way, with `, `.
 * https://nodejs.org/api/http.html#messageheaders
 *
 * @param name lower-case, as Node keys headers.
 * @returns undefined when the header is absent; an empty header is ''.
 */
export function headerValue(headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
