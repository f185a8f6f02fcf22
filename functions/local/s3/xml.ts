import { MalformedXMLError } from './errors.ts';

/**
 * S3's XML: answers written as S3 writes them, and the two request bodies it takes (Delete,
 * CompleteMultipartUpload) read by a small parser that knows no DTD (so no entity expansion)
 * and bounds its depth and element count.
 */

/** S3's namespace, on the root element of every answer. */
export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

const NAMED: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Text escaped for an element. Control characters are written as character references (a raw
 * CR would be read back as LF by any XML parser; a key may hold one).
 */
export function xmlText(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const named = NAMED[text[i]!];
    if (named === undefined && code >= 0x20 && code !== 0x7f) continue;
    out += text.slice(from, i) + (named ?? `&#x${code.toString(16).toUpperCase()};`);
    from = i + 1;
  }
  return out + text.slice(from);
}

/** `<name>escaped text</name>`. */
export function element(name: string, text: string | number | boolean): string {
  return `<${name}>${xmlText(String(text))}</${name}>`;
}

/** An answer's document: declaration and root element in S3's namespace. */
export function document(root: string, inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_NAMESPACE}">${inner}</${root}>`;
}

/** A parsed element: local name (prefix dropped), child elements, and its own text. */
export interface XmlElement {
  readonly name: string;
  readonly children: XmlElement[];
  text: string;
}

const MAX_DEPTH = 16;
const MAX_ELEMENTS = 100_000;

/** Parses a (bounded) request body; MalformedXML when it is not one well-formed element. */
export function parseXml(text: string): XmlElement {
  const stack: Array<{ element: XmlElement; qualified: string }> = [];
  let root: XmlElement | undefined;
  let count = 0;
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (pos < text.length) {
    const lt = text.indexOf('<', pos);
    const between = text.slice(pos, lt < 0 ? text.length : lt);
    const top = stack.at(-1)?.element;
    if (top) top.text += decodeEntities(between);
    else if (between.trim() !== '') throw new MalformedXMLError();
    if (lt < 0) break;
    if (text.startsWith('<?', lt)) pos = after(text, '?>', lt);
    else if (text.startsWith('<!--', lt)) pos = after(text, '-->', lt);
    else if (text.startsWith('<![CDATA[', lt)) {
      pos = after(text, ']]>', lt);
      if (!top) throw new MalformedXMLError();
      top.text += text.slice(lt + 9, pos - 3);
    } else if (text.startsWith('<!', lt)) throw new MalformedXMLError('Document type declarations are not accepted.');
    else if (text.startsWith('</', lt)) {
      pos = after(text, '>', lt);
      if (stack.pop()?.qualified !== text.slice(lt + 2, pos - 1).trim()) throw new MalformedXMLError();
    } else {
      const end = tagEnd(text, lt);
      const tag = text.slice(lt + 1, end);
      const selfClosing = tag.endsWith('/');
      const qualified = tagName(selfClosing ? tag.slice(0, -1) : tag);
      // One root only; bounded depth and size.
      if (qualified === '' || (root && stack.length === 0) || stack.length >= MAX_DEPTH || ++count > MAX_ELEMENTS) throw new MalformedXMLError();
      const created: XmlElement = { name: qualified.slice(qualified.indexOf(':') + 1), children: [], text: '' };
      if (top) top.children.push(created);
      else root = created;
      if (!selfClosing) stack.push({ element: created, qualified });
      pos = end + 1;
    }
  }
  if (stack.length > 0 || !root) throw new MalformedXMLError();
  return root;
}

/** The child elements of `parent` named `name`. */
export function childrenNamed(parent: XmlElement, name: string): XmlElement[] {
  return parent.children.filter((child) => child.name === name);
}

/** The text of the first child named `name`, or undefined. */
export function childText(parent: XmlElement, name: string): string | undefined {
  return parent.children.find((child) => child.name === name)?.text;
}

/** The position after the next `marker` from `from`; MalformedXML when there is none. */
function after(text: string, marker: string, from: number): number {
  const end = text.indexOf(marker, from);
  if (end < 0) throw new MalformedXMLError();
  return end + marker.length;
}

/** The position of the `>` ending the start tag at `lt`, skipping quoted attribute values. */
function tagEnd(text: string, lt: number): number {
  let quote = '';
  for (let i = lt + 1; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '>') return i;
  }
  throw new MalformedXMLError();
}

/** The element name at the start of a start tag's content. */
function tagName(tag: string): string {
  let end = 0;
  while (end < tag.length && !' \t\r\n'.includes(tag[end]!)) end++;
  return tag.slice(0, end);
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Text with its entity and character references replaced. */
function decodeEntities(text: string): string {
  let out = '';
  let from = 0;
  for (let amp = text.indexOf('&'); amp >= 0; amp = text.indexOf('&', from)) {
    const semi = text.indexOf(';', amp);
    if (semi < 0 || semi - amp > 12) throw new MalformedXMLError();
    const name = text.slice(amp + 1, semi);
    let replaced = ENTITIES[name];
    if (replaced === undefined && name.startsWith('#')) {
      const hex = name[1] === 'x' || name[1] === 'X';
      const digits = name.slice(hex ? 2 : 1);
      const code = digits !== '' && (hex ? /^[\da-f]+$/i : /^\d+$/).test(digits) ? Number.parseInt(digits, hex ? 16 : 10) : -1;
      if (code >= 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)) replaced = String.fromCodePoint(code);
    }
    if (replaced === undefined) throw new MalformedXMLError();
    out += text.slice(from, amp) + replaced;
    from = semi + 1;
  }
  return out + text.slice(from);
}
