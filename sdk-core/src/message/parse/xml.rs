//! Flat XML bodies in the WeChat Pay v2 style: `<xml><k>v</k>...</xml>`.
//!
//! The root element (any name) holds one level of children; each child's text is a
//! parameter. Anything a payment message does not need is refused rather than interpreted:
//!
//! - a DTD (`<!DOCTYPE`) is an error, so no entity can be defined: no XXE, no billion laughs;
//! - in text, only the five predefined entities (`&lt;` `&gt;` `&amp;` `&apos;` `&quot;`)
//!   and character references (`&#20013;`, `&#x4e2d;`) are resolved; any other reference is
//!   an error;
//! - CDATA content is taken as is (no entity resolution inside it);
//! - an element below a child is an error (flat documents only), as is text directly in the
//!   root; whitespace between children is ignored;
//! - attributes are an error, on the root and on every child: a value travels as an
//!   element's text (WeChat Pay v2), and an attribute would be data the signature does not
//!   cover, silently dropped;
//! - what XML 1.0 does not allow and bears on the values is refused too, where quick-xml
//!   lets it through: a character outside `Char` (§2.2: U+0001–U+0008, U+000B, U+000C,
//!   U+000E–U+001F, U+FFFE, U+FFFF) in text or CDATA, `]]>` in text (§2.4), `--` inside a
//!   comment (§2.5, quick-xml's own check);
//! - not checked, because checking costs the runtime wasm module, which has a size
//!   budget, and changes no value: that element names are XML `Name`s (`<1a>`; names are
//!   compared as bytes, and `&`/`=` in a name is refused as `PARAM_NAME_INVALID`), namespace
//!   prefixes (`<wx:sign>` is just a name), the declaration's `version` (0.3 KiB) and a
//!   processing instruction named `xml` after the start (measured together: 0.6 KiB, the
//!   room left under the budget was 0.3);//! - line ends are normalised as every XML 1.0 parser does (`\r\n` and `\r` → `\n`);
//! - comments and processing instructions are skipped.
//!
//! Every refusal is [`Error::BodyMalformed`], naming the element where there is one.
//!
//! The charset is, in order: UTF-8 if the body starts with a UTF-8 BOM, the Content-Type
//! `charset` parameter (RFC 7303 §3.2), the `encoding` of the XML declaration, else UTF-8.
//! A GBK body is decoded to UTF-8 as a whole, strictly, before it is parsed.

use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};

use crate::error::{Error, Result};
use crate::params::Params;

use super::charset::{Charset, strip_bom};

/// Parses an XML body; `declared` is the Content-Type `charset` parameter, if any.
pub(super) fn parse(
    body: &[u8],
    declared: Option<&str>,
    max_depth: usize,
) -> Result<(Params, Charset)> {
    let (body, had_bom) = strip_bom(body);
    let charset = if had_bom {
        Charset::Utf8
    } else if let Some(label) = declared {
        Charset::from_label(label)?
    } else if let Some(label) = declaration_encoding(body)? {
        Charset::from_label(&label)?
    } else {
        Charset::Utf8
    };
    let text = charset.decode(body)?;
    let (_root, params) = parse_text(&text, max_depth)?;
    Ok((params, charset))
}

/// [`parse`] without a Content-Type, also giving the root element's name: for a reader
/// to whom the root matters (the WeChat Pay v2 acknowledgement is an `<xml>` document).
pub(super) fn parse_document(body: &[u8], max_depth: usize) -> Result<(String, Params)> {
    let (body, had_bom) = strip_bom(body);
    let charset = match declaration_encoding(body)? {
        Some(label) if !had_bom => Charset::from_label(&label)?,
        _ => Charset::Utf8,
    };
    parse_text(&charset.decode(body)?, max_depth)
}

fn malformed(reason: impl Into<String>) -> Error {
    Error::BodyMalformed {
        format: "xml",
        reason: reason.into(),
    }
}

/// The `encoding` named by a leading XML declaration, read from the raw bytes (the
/// declaration itself is ASCII in every supported charset).
fn declaration_encoding(body: &[u8]) -> Result<Option<String>> {
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    let Some(rest) = body.get(start..) else {
        return Ok(None);
    };
    let is_declaration =
        rest.starts_with(b"<?xml") && rest.get(5).is_some_and(|b| b.is_ascii_whitespace());
    if !is_declaration {
        return Ok(None);
    }
    let Some(end) = rest.windows(2).position(|w| w == b"?>") else {
        return Err(malformed("the XML declaration is not closed"));
    };
    let declaration = rest
        .get(..end + 2)
        .and_then(|bytes| std::str::from_utf8(bytes).ok())
        .ok_or_else(|| malformed("the XML declaration is not ASCII"))?;
    match Reader::from_str(declaration).read_event() {
        Ok(Event::Decl(decl)) => match decl.encoding() {
            None => Ok(None),
            Some(Ok(encoding)) => Ok(Some(encoding.into_owned())),
            Some(Err(e)) => Err(malformed(format!("XML declaration: {e}"))),
        },
        Ok(_) => Err(malformed("the XML declaration cannot be read")),
        Err(e) => Err(malformed(format!("XML declaration: {e}"))),
    }
}

/// Where the parser is in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Before the root element (prolog).
    BeforeRoot,
    /// Directly inside the root element, between children.
    InRoot,
    /// Inside a child element: its text is a parameter value.
    InChild,
    /// After the root element closed.
    AfterRoot,
}

/// The root element's name and the parameters of a flat document.
fn parse_text(text: &str, max_depth: usize) -> Result<(String, Params)> {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.allow_unmatched_ends = false;
    config.allow_dangling_amp = false;
    config.expand_empty_elements = false;
    config.trim_text(false);
    // XML 1.0 §2.5: no `--` inside a comment.
    config.check_comments = true;

    let mut place = Place::BeforeRoot;
    let mut seen_declaration = false;
    let mut current: Option<(String, String)> = None;
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut root = String::new();

    loop {
        let event = reader
            .read_event()
            .map_err(|e| malformed(format!("{e} (near byte {})", reader.error_position())))?;
        match event {
            Event::Eof => break,
            Event::Decl(_) => {
                // Leniently, whitespace may precede it (`add_text` refuses anything else).
                if seen_declaration || place != Place::BeforeRoot {
                    return Err(malformed("the XML declaration must come first"));
                }
                seen_declaration = true;
            }
            Event::DocType(_) => {
                return Err(malformed(
                    "DTDs (`<!DOCTYPE ...>`) are not allowed: no entity definitions, \
                     no external entities",
                ));
            }
            Event::Comment(_) | Event::PI(_) => {}
            Event::Start(element) => {
                check_element(&element)?;
                if place == Place::BeforeRoot {
                    root = element_name(&element);
                }
                place = open(place, &element, max_depth, &mut current)?;
            }
            Event::Empty(element) => {
                check_element(&element)?;
                if place == Place::BeforeRoot {
                    root = element_name(&element);
                }
                place = open(place, &element, max_depth, &mut current)?;
                place = close(place, &mut current, &mut pairs);
            }
            Event::End(_) => place = close(place, &mut current, &mut pairs),
            Event::Text(content) => {
                let text = content.xml10_content();
                // XML 1.0 §2.4: `]]>` only ends a CDATA section.
                if text.contains("]]>") {
                    return Err(in_element(
                        &current,
                        "contains `]]>` outside CDATA (XML 1.0 §2.4: write `]]&gt;`)",
                    ));
                }
                add_text(place, &mut current, &text)?;
            }
            Event::CData(content) => add_text(place, &mut current, &content.xml10_content())?,
            Event::GeneralRef(reference) => {
                let ch = resolve_reference(&reference)?;
                add_text(place, &mut current, ch.encode_utf8(&mut [0; 4]))?;
            }
        }
    }

    match place {
        Place::AfterRoot => Ok((root, Params::from_pairs(pairs)?)),
        Place::BeforeRoot => Err(malformed("no root element")),
        Place::InRoot | Place::InChild => Err(malformed("the document ends inside an element")),
    }
}

fn element_name(element: &BytesStart<'_>) -> String {
    element.name().into_inner().to_owned()
}

/// Refuses an element that carries an attribute (well-formed or not).
fn check_element(element: &BytesStart<'_>) -> Result<()> {
    if let Some(attribute) = element.attributes().next() {
        let what = match attribute {
            Ok(attribute) => format!("attribute {}", super::quoted(attribute.key.into_inner())),
            Err(e) => format!("an attribute ({e})"),
        };
        return Err(malformed(format!(
            "element <{}> has {what}: values travel as element text, and attributes are not signed",
            element_name(element)
        )));
    }
    Ok(())
}

/// A refusal about the text of the element being read (or of the document, outside one).
fn in_element(current: &Option<(String, String)>, what: &str) -> Error {
    match current {
        Some((name, _)) => malformed(format!("the text of <{name}> {what}")),
        None => malformed(format!("the document {what}")),
    }
}

/// Enters an element: the root, a child, or (refused) anything deeper.
fn open(
    place: Place,
    element: &BytesStart<'_>,
    max_depth: usize,
    current: &mut Option<(String, String)>,
) -> Result<Place> {
    let depth = match place {
        Place::BeforeRoot => 1,
        Place::InRoot => 2,
        Place::InChild => 3,
        Place::AfterRoot => return Err(malformed("more than one root element")),
    };
    if depth > max_depth {
        return Err(Error::NestingTooDeep { limit: max_depth });
    }
    match place {
        Place::BeforeRoot => Ok(Place::InRoot),
        Place::InRoot => {
            *current = Some((element_name(element), String::new()));
            Ok(Place::InChild)
        }
        _ => {
            let parent = current
                .as_ref()
                .map(|(k, _)| k.as_str())
                .unwrap_or_default();
            Err(malformed(format!(
                "nested element <{}> inside <{parent}>: only flat documents \
                 (<root><key>value</key>...</root>) are supported",
                element_name(element)
            )))
        }
    }
}

/// Leaves the element opened last (quick-xml has checked that the end tag matches).
fn close(
    place: Place,
    current: &mut Option<(String, String)>,
    pairs: &mut Vec<(String, String)>,
) -> Place {
    match place {
        Place::InChild => {
            pairs.extend(current.take());
            Place::InRoot
        }
        Place::InRoot => Place::AfterRoot,
        // quick-xml refuses unmatched end tags, so these cannot happen.
        Place::BeforeRoot | Place::AfterRoot => place,
    }
}

fn add_text(place: Place, current: &mut Option<(String, String)>, text: &str) -> Result<()> {
    if let Some(ch) = text.chars().find(|ch| !is_xml_char(*ch)) {
        return Err(in_element(
            current,
            &format!(
                "contains U+{:04X}, a character XML 1.0 does not allow (§2.2)",
                u32::from(ch)
            ),
        ));
    }
    match (place, current) {
        (Place::InChild, Some((_, value))) => {
            value.push_str(text);
            Ok(())
        }
        _ if text
            .bytes()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')) =>
        {
            Ok(())
        }
        (Place::InRoot, _) => Err(malformed(
            "text directly inside the root element: values must be in child elements",
        )),
        _ => Err(malformed("text outside the root element")),
    }
}

/// Resolves `&name;`: the five predefined entities and character references only.
fn resolve_reference(reference: &BytesRef<'_>) -> Result<char> {
    let name: &str = reference;
    if reference.is_char_ref() {
        return match reference.resolve_char_ref() {
            Ok(Some(ch)) if is_xml_char(ch) => Ok(ch),
            _ => Err(malformed(format!("invalid character reference `&{name};`"))),
        };
    }
    match name {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "apos" => Ok('\''),
        "quot" => Ok('"'),
        _ => Err(malformed(format!(
            "unknown entity reference `&{name};`: only &lt; &gt; &amp; &apos; &quot; \
             and character references are allowed"
        ))),
    }
}

/// The `Char` production of XML 1.0.
/// Whether XML 1.0 allows `ch` in a document (§2.2 `Char`); the writer holds values to it.
pub(crate) fn is_xml_char(ch: char) -> bool {
    matches!(ch, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(body: &str) -> Result<Params> {
        parse(body.as_bytes(), None, 32).map(|(p, _)| p)
    }

    fn pairs(body: &str) -> Vec<(String, String)> {
        parse_str(body)
            .unwrap()
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    fn kv(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn reason(body: &str) -> String {
        match parse_str(body).unwrap_err() {
            Error::BodyMalformed { format, reason } => {
                assert_eq!(format, "xml");
                reason
            }
            other => panic!("expected BODY_MALFORMED, got {other:?}"),
        }
    }

    #[test]
    fn flat_document_with_text_and_cdata() {
        let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xml>\n  \
                    <return_code><![CDATA[SUCCESS]]></return_code>\n  \
                    <total_fee>1</total_fee>\n  <attach><![CDATA[a&amp;<b>]]></attach>\n</xml>\n";
        assert_eq!(
            pairs(body),
            kv(&[
                ("return_code", "SUCCESS"),
                ("total_fee", "1"),
                ("attach", "a&amp;<b>")
            ])
        );
    }

    #[test]
    fn any_root_name_and_empty_elements() {
        assert_eq!(
            pairs("<root><a/><b></b><c> x </c></root>"),
            kv(&[("a", ""), ("b", ""), ("c", " x ")])
        );
        assert!(pairs("<xml/>").is_empty());
        assert!(pairs("<xml>\n</xml>").is_empty());
    }

    #[test]
    fn predefined_entities_and_character_references() {
        assert_eq!(
            pairs("<xml><a>&lt;&gt;&amp;&apos;&quot;&#20013;&#x4E2D;x</a></xml>"),
            kv(&[("a", "<>&'\"中中x")])
        );
        assert_eq!(
            pairs("<xml><a>1<!-- c -->2<![CDATA[3]]>4</a></xml>"),
            kv(&[("a", "1234")])
        );
    }

    #[test]
    fn unknown_entities_and_bad_references_are_refused() {
        assert!(reason("<xml><a>&lol;</a></xml>").contains("unknown entity"));
        assert!(reason("<xml><a>&#0;</a></xml>").contains("character reference"));
        assert!(reason("<xml><a>&#1;</a></xml>").contains("character reference"));
        reason("<xml><a>a & b</a></xml>");
    }

    #[test]
    fn doctype_is_refused() {
        let body = "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\
                    <xml><a>&e;</a></xml>";
        assert!(reason(body).contains("DTD"));
    }

    #[test]
    fn nesting_is_refused() {
        assert!(reason("<xml><a><b>1</b></a></xml>").contains("nested"));
        assert!(reason("<xml><a>x<b/></a></xml>").contains("nested"));
        let deep = format!(
            "<xml>{}{}</xml>",
            "<a>".repeat(100_000),
            "</a>".repeat(100_000)
        );
        assert!(reason(&deep).contains("nested"));
        assert_eq!(
            parse(b"<xml><a>1</a></xml>", None, 1).unwrap_err(),
            Error::NestingTooDeep { limit: 1 }
        );
    }

    #[test]
    fn structure_errors() {
        assert!(reason("<xml>text<a>1</a></xml>").contains("root element"));
        assert!(reason("<xml><a>1</a></xml><xml/>").contains("more than one root"));
        assert!(reason("junk<xml/>").contains("outside the root"));
        assert!(reason("").contains("no root"));
        assert!(reason("  \n").contains("no root"));
        assert!(reason("<xml><a>1</a>").contains("ends inside"));
        reason("<xml><a>1</b></xml>");
        reason("<xml><a x=>1</a></xml>");
    }

    #[test]
    fn duplicates_are_refused() {
        assert_eq!(
            parse_str("<xml><a>1</a><b/><a>1</a></xml>").unwrap_err(),
            Error::ParamDuplicate { key: "a".into() }
        );
    }

    #[test]
    fn line_ends_are_normalised() {
        assert_eq!(
            pairs("<xml><a>1\r\n2\r3</a></xml>"),
            kv(&[("a", "1\n2\n3")])
        );
    }

    #[test]
    fn gbk_declaration_is_honoured() {
        let mut body = b"<?xml version=\"1.0\" encoding=\"GBK\"?><xml><body>".to_vec();
        body.extend_from_slice(b"\xd6\xd0"); // 中
        body.extend_from_slice(b"</body></xml>");
        let (params, charset) = parse(&body, None, 32).unwrap();
        assert_eq!(charset, Charset::Gbk);
        assert_eq!(params.get("body"), Some("中"));
        // The Content-Type charset wins over the declaration.
        assert_eq!(
            parse(&body, Some("utf-8"), 32).unwrap_err(),
            Error::CharsetInvalid { charset: "UTF-8" }
        );
        // Unsupported declared encodings are reported.
        assert_eq!(
            parse(
                b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><xml/>",
                None,
                32
            )
            .unwrap_err()
            .code(),
            "CHARSET_UNSUPPORTED"
        );
    }

    #[test]
    fn attributes_are_refused_on_every_element_naming_it() {
        for (body, element, attribute) in [
            (
                r#"<xml><total_fee currency="CNY">6754</total_fee></xml>"#,
                "total_fee",
                "attribute `currency`",
            ),
            (
                r#"<xml><sign xsi:nil="true"/></xml>"#,
                "sign",
                "attribute `xsi:nil`",
            ),
            (
                r#"<xml><sign type='MD5'><![CDATA[AB]]></sign></xml>"#,
                "sign",
                "attribute `type`",
            ),
            ("<xml a='1'><b>2</b></xml>", "xml", "attribute `a`"),
            (
                r#"<xml xmlns="urn:x"><b>2</b></xml>"#,
                "xml",
                "attribute `xmlns`",
            ),
            (r#"<root><a b='<'>x</a></root>"#, "a", "attribute `b`"),
            (r#"<xml><a b>x</a></xml>"#, "a", "an attribute ("),
        ] {
            let reason = reason(body);
            assert!(
                reason.starts_with(&format!("element <{element}> has {attribute}")),
                "{body}: {reason}"
            );
        }
    }

    #[test]
    fn characters_xml_does_not_allow_are_refused_in_text_and_cdata() {
        let forbidden = ('\u{1}'..='\u{8}')
            .chain(['\u{B}', '\u{C}'])
            .chain('\u{E}'..='\u{1F}')
            .chain(['\u{FFFE}', '\u{FFFF}']);
        for ch in forbidden {
            let code = format!("U+{:04X}", u32::from(ch));
            for body in [
                format!("<xml><attach>a{ch}b</attach></xml>"),
                format!("<xml><attach><![CDATA[a{ch}b]]></attach></xml>"),
                format!("<xml><a>1</a><attach>{ch}</attach></xml>"),
            ] {
                let reason = reason(&body);
                assert!(
                    reason.starts_with(&format!("the text of <attach> contains {code}")),
                    "{body:?}: {reason}"
                );
            }
            assert!(reason(&format!("<xml>{ch}<a>1</a></xml>")).contains(&code));
        }
        // Tab, line ends, DEL and the C1 controls are XML characters.
        for ch in [
            '\t',
            '\n',
            '\u{7F}',
            '\u{85}',
            '\u{9F}',
            '\u{FFFD}',
            '\u{10FFFF}',
        ] {
            let body = format!("<xml><a>x{ch}</a></xml>");
            assert_eq!(pairs(&body), kv(&[("a", &format!("x{ch}"))]), "{body:?}");
        }
    }

    #[test]
    fn cdata_end_outside_cdata_is_refused() {
        assert!(reason("<xml><a>x]]>y</a></xml>").starts_with("the text of <a> contains `]]>`"));
        assert!(reason("<xml><a>]]></a></xml>").contains("`]]>`"));
        assert_eq!(pairs("<xml><a>x]]&gt;y</a></xml>"), kv(&[("a", "x]]>y")]));
        assert_eq!(pairs("<xml><a>x]]y></a></xml>"), kv(&[("a", "x]]y>")]));
        assert_eq!(
            pairs("<xml><a><![CDATA[x]]]]><![CDATA[>y]]></a></xml>"),
            kv(&[("a", "x]]>y")])
        );
    }

    #[test]
    fn comments_follow_xml_and_what_changes_no_value_is_left_to_quick_xml() {
        // XML 1.0 §2.5: no `--` inside a comment (quick-xml's check).
        for body in [
            "<xml><!-- a -- b --><a>x</a></xml>",
            "<xml><a>x<!-- a ---></a></xml>",
        ] {
            assert_eq!(
                parse_str(body).unwrap_err().code(),
                "BODY_MALFORMED",
                "{body}"
            );
        }
        assert_eq!(
            pairs("<xml><!-- a - b --><a>x</a></xml>"),
            kv(&[("a", "x")])
        );
        assert_eq!(pairs("<xml><?pi data?><a>x</a></xml>"), kv(&[("a", "x")]));
        // Not checked (the runtime wasm module's budget; no value changes): names that
        // are not XML names, prefixes, the declaration's version. Names are compared as
        // bytes, and one that smuggles `&` or `=` is still refused.
        assert_eq!(
            pairs("<?xml version=\"2.0\"?><xml><1a>1</1a><wx:sign>2</wx:sign></xml>"),
            kv(&[("1a", "1"), ("wx:sign", "2")])
        );
        for body in ["<xml><a&b>x</a&b></xml>", "<xml><a=b>x</a=b></xml>"] {
            assert_eq!(
                parse_str(body).unwrap_err().code(),
                "PARAM_NAME_INVALID",
                "{body}"
            );
        }
    }

    #[test]
    fn declaration_must_come_first() {
        reason("<xml/><?xml version=\"1.0\"?>");
        assert!(pairs(" <?xml version=\"1.0\"?><xml/>").is_empty());
    }
}
