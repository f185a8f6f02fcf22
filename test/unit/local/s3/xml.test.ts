import { describe, expect, it } from 'vitest';
import { childrenNamed, childText, parseXml, xmlText } from '../../../../functions/local/s3/xml.ts';

describe('the XML of the local S3 endpoint', () => {
  it('reads a DeleteObjects body as the SDK writes it, character references included', () => {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet><Object><Key>a&#x0D;&#x0A;b&amp;&lt;&#233;</Key></Object><Object><Key><![CDATA[x<y]]></Key></Object></Delete>';
    const root = parseXml(body);
    expect(root.name).toBe('Delete');
    expect(childText(root, 'Quiet')).toBe('true');
    expect(childrenNamed(root, 'Object').map((object) => childText(object, 'Key'))).toEqual(['a\r\nb&<é', 'x<y']);
  });

  it.each([
    ['a document type (entity expansion)', '<!DOCTYPE d [<!ENTITY a "aaaa">]><Delete>&a;</Delete>'],
    ['an unknown entity', '<Delete>&a;</Delete>'],
    ['a lone surrogate reference', '<Delete><Key>&#xD800;</Key></Delete>'],
    ['mismatched tags', '<Delete><Object></Delete></Object>'],
    ['two roots', '<Delete/><Delete/>'],
    ['an unclosed element', '<Delete><Object>'],
    ['nesting 40 deep', `${'<a>'.repeat(40)}${'</a>'.repeat(40)}`],
  ])('refuses %s as MalformedXML', (_, body) => {
    expect(() => parseXml(body)).toThrow(expect.objectContaining({ code: 'MalformedXML' }));
  });

  it('writes text so that a parser reads back every character of a key', () => {
    const key = 'a\r\nb\t<&>"\'\u0001é😀';
    const written = `<Key>${xmlText(key)}</Key>`;
    expect([...written].filter((c) => c.charCodeAt(0) < 0x20)).toEqual([]);
    expect(parseXml(written).text).toBe(key);
  });
});
