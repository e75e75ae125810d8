import { createRequire } from 'node:module';
import { S3Error } from './s3-error.js';

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

// xmlbuilder2 (CommonJS, a DOM implementation underneath) parses request documents; it is loaded
// on the first one rather than at import: it is the largest part of the emulator's start-up, and
// many runs never parse XML.
const require = createRequire(import.meta.url);
let xmlbuilder2: typeof import('xmlbuilder2') | undefined;
const xmlLibrary = () => (xmlbuilder2 ??= require('xmlbuilder2') as typeof import('xmlbuilder2'));

/** A value tree rendered as nested elements; arrays repeat the element, undefined omits it. */
export type XmlValue = string | number | boolean | undefined | XmlTree | XmlValue[];
export interface XmlTree {
  [element: string]: XmlValue;
}

/** Text content escaped as xmlbuilder2 serialises it (`&`, `<`, `>`); control characters as S3 writes them. */
function escapeText(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[&<>\x00-\x08\x0B-\x1F]/.test(text)) return text;
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      // A key may contain "\r": raw, XML parsers would normalise it away; S3 writes a character reference.
      // eslint-disable-next-line no-control-regex
      .replace(/[\x00-\x08\x0B-\x1F]/g, (c) => `&#${c.charCodeAt(0)};`)
  );
}

function appendValue(parts: string[], name: string, value: XmlValue): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    for (const item of value) appendValue(parts, name, item);
    return;
  }
  if (typeof value === 'object') {
    const opening = parts.length;
    parts.push(`<${name}>`);
    for (const [child, childValue] of Object.entries(value)) appendValue(parts, child, childValue);
    if (parts.length === opening + 1) parts[opening] = `<${name}/>`;
    else parts.push(`</${name}>`);
    return;
  }
  const text = String(value);
  parts.push(text === '' ? `<${name}/>` : `<${name}>${escapeText(text)}</${name}>`);
}

/**
 * Renders a root element holding `content` (elements, or text) as an S3 XML document, with S3's
 * namespace unless `xmlns` is null. Written out directly rather than through xmlbuilder2's DOM,
 * which was 80% of a 1,000-key listing's CPU; the output is xmlbuilder2's byte for byte (a unit
 * test compares them).
 */
export function renderXml(rootName: string, content: XmlTree | string, xmlns: string | null = S3_XMLNS): string {
  const parts = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const opening = xmlns ? `<${rootName} xmlns="${xmlns}"` : `<${rootName}`;
  parts.push(`${opening}>`);
  if (typeof content === 'string') {
    if (content !== '') parts.push(escapeText(content));
  } else {
    for (const [name, value] of Object.entries(content)) appendValue(parts, name, value);
  }
  if (parts.length === 2) parts[1] = `${opening}/>`;
  else parts.push(`</${rootName}>`);
  return parts.join('');
}

export type ParsedXml = { [name: string]: ParsedXmlNode };
export type ParsedXmlNode = string | ParsedXml | ParsedXmlNode[];

/** Parses a small request document (DeleteObjects, CompleteMultipartUpload …); bad XML → MalformedXML. */
export function parseXml(text: string): ParsedXml {
  let parsed: unknown;
  try {
    parsed = xmlLibrary().convert(text, { format: 'object' });
  } catch {
    throw new S3Error('MalformedXML');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new S3Error('MalformedXML');
  return parsed as ParsedXml;
}

/** Elements named `name` under `node`, as a list (xmlbuilder2 gives one child as a value, several as an array). */
export function childElements(node: ParsedXmlNode | undefined, name: string): ParsedXmlNode[] {
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) return [];
  const found = stripNamespaceKeys(node)[name];
  if (found === undefined) return [];
  return Array.isArray(found) ? found : [found];
}

/** Text content of a leaf element ('' for `<Key/>`), or undefined when it is not a leaf. */
export function textOf(node: ParsedXmlNode | undefined): string | undefined {
  if (typeof node === 'string') return unescapeMarkup(node);
  if (node !== undefined && !Array.isArray(node) && Object.keys(stripNamespaceKeys(node)).length === 0) return '';
  if (node !== undefined && !Array.isArray(node) && typeof node['#'] === 'string') return unescapeMarkup(node['#']);
  return undefined;
}

/**
 * xmlbuilder2's object conversion hands text back with `&`, `<` and `>` still escaped (it
 * decodes the other references), so a DeleteObjects key `a & b` would name the key `a &amp; b`.
 */
function unescapeMarkup(text: string): string {
  return text.includes('&') ? text.replace(/&(amp|lt|gt);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>' })[name]!) : text;
}

function stripNamespaceKeys(node: ParsedXml): ParsedXml {
  const out: ParsedXml = {};
  for (const [k, v] of Object.entries(node)) if (!k.startsWith('@')) out[k] = v;
  return out;
}
