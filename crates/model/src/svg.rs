//! Whether an SVG image is inert: the one check every output uses before an SVG file is
//! copied beside a page, embedded in one, or stored in an EPUB.
//!
//! SVG is a document format: opened on its own (a copied `images/x.svg` is a URL on the site)
//! it can run script, follow links and pull in other resources. The file is parsed as XML with
//! namespaces resolved, and kept only when every element and attribute is on an allow-list of
//! drawing features: no `script` in any namespace or prefix, no `foreignObject`, `iframe` or
//! other HTML, no event handler, no reference that is not a local `#fragment` (or, for an
//! embedded raster image, a `data:` URL of a raster type), no CSS `url()`, `@import` or
//! escapes pointing elsewhere, no animation that rewrites a link, no processing instruction
//! (`xml-stylesheet`) and no entity declarations. Nothing is re-serialised: what passes is
//! used byte for byte.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::reader::NsReader;

const SVG_NS: &[u8] = b"http://www.w3.org/2000/svg";
const XLINK_NS: &[u8] = b"http://www.w3.org/1999/xlink";
const XML_NS: &[u8] = b"http://www.w3.org/XML/1998/namespace";

/// Namespaces of editor metadata (Inkscape, Sodipodi, RDF, Creative Commons, Dublin Core,
/// Adobe, Affinity): browsers render nothing and run nothing in them, and drawing programs
/// write them into most files.
const INERT_NAMESPACES: &[&[u8]] = &[
    b"http://www.inkscape.org/namespaces/inkscape",
    b"http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    b"http://inkscape.sourceforge.net/DTD/sodipodi-0.dtd",
    b"http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    b"http://creativecommons.org/ns#",
    b"http://web.resource.org/cc/",
    b"http://purl.org/dc/elements/1.1/",
    b"http://purl.org/dc/terms/",
    b"http://ns.adobe.com/AdobeIllustrator/10.0/",
    b"http://ns.adobe.com/AdobeSVGViewerExtensions/3.0/",
    b"http://ns.adobe.com/Extensibility/1.0/",
    b"http://ns.adobe.com/Graphs/1.0/",
    b"http://ns.adobe.com/SaveForWeb/1.0/",
    b"http://ns.adobe.com/Variables/1.0/",
    b"http://ns.adobe.com/ImageReplacement/1.0/",
    b"http://ns.adobe.com/GenericCustomNamespace/1.0/",
    b"http://ns.adobe.com/XPath/1.0/",
    b"http://www.serif.com/",
    b"http://www.bohemiancoding.com/sketch/ns",
];

/// SVG elements that draw, group, define paint or describe, and nothing else.
const ELEMENTS: &[&str] = &[
    "a",
    "animate",
    "animateMotion",
    "animateTransform",
    "circle",
    "clipPath",
    "defs",
    "desc",
    "ellipse",
    "feBlend",
    "feColorMatrix",
    "feComponentTransfer",
    "feComposite",
    "feConvolveMatrix",
    "feDiffuseLighting",
    "feDisplacementMap",
    "feDistantLight",
    "feDropShadow",
    "feFlood",
    "feFuncA",
    "feFuncB",
    "feFuncG",
    "feFuncR",
    "feGaussianBlur",
    "feImage",
    "feMerge",
    "feMergeNode",
    "feMorphology",
    "feOffset",
    "fePointLight",
    "feSpecularLighting",
    "feSpotLight",
    "feTile",
    "feTurbulence",
    "filter",
    "g",
    "image",
    "line",
    "linearGradient",
    "marker",
    "mask",
    "metadata",
    "mpath",
    "path",
    "pattern",
    "polygon",
    "polyline",
    "radialGradient",
    "rect",
    "set",
    "stop",
    "style",
    "svg",
    "switch",
    "symbol",
    "text",
    "textPath",
    "title",
    "tspan",
    "use",
    "view",
];

/// Attributes without a namespace that SVG elements may carry: geometry, presentation,
/// paint servers, filters, text, animation timing and the core attributes.
const ATTRIBUTES: &[&str] = &[
    "accumulate",
    "additive",
    "alignment-baseline",
    "amplitude",
    "attributeName",
    "attributeType",
    "azimuth",
    "baseFrequency",
    "baseProfile",
    "baseline-shift",
    "begin",
    "bias",
    "by",
    "calcMode",
    "class",
    "clip",
    "clip-path",
    "clip-rule",
    "clipPathUnits",
    "color",
    "color-interpolation",
    "color-interpolation-filters",
    "color-profile",
    "color-rendering",
    "cx",
    "cy",
    "d",
    "diffuseConstant",
    "direction",
    "display",
    "divisor",
    "dominant-baseline",
    "dur",
    "dx",
    "dy",
    "edgeMode",
    "elevation",
    "enable-background",
    "end",
    "exponent",
    "fill",
    "fill-opacity",
    "fill-rule",
    "filter",
    "filterRes",
    "filterUnits",
    "flood-color",
    "flood-opacity",
    "font",
    "font-family",
    "font-size",
    "font-size-adjust",
    "font-stretch",
    "font-style",
    "font-variant",
    "font-weight",
    "fr",
    "from",
    "fx",
    "fy",
    "glyph-orientation-horizontal",
    "glyph-orientation-vertical",
    "gradientTransform",
    "gradientUnits",
    "height",
    "href",
    "id",
    "image-rendering",
    "in",
    "in2",
    "intercept",
    "k",
    "k1",
    "k2",
    "k3",
    "k4",
    "kernelMatrix",
    "kernelUnitLength",
    "kerning",
    "keyPoints",
    "keySplines",
    "keyTimes",
    "lang",
    "lengthAdjust",
    "letter-spacing",
    "lighting-color",
    "limitingConeAngle",
    "marker-end",
    "marker-mid",
    "marker-start",
    "markerHeight",
    "markerUnits",
    "markerWidth",
    "mask",
    "mask-type",
    "maskContentUnits",
    "maskUnits",
    "max",
    "method",
    "min",
    "mode",
    "numOctaves",
    "offset",
    "opacity",
    "operator",
    "order",
    "orient",
    "overflow",
    "paint-order",
    "path",
    "pathLength",
    "patternContentUnits",
    "patternTransform",
    "patternUnits",
    "pointer-events",
    "points",
    "pointsAtX",
    "pointsAtY",
    "pointsAtZ",
    "preserveAlpha",
    "preserveAspectRatio",
    "primitiveUnits",
    "r",
    "radius",
    "refX",
    "refY",
    "repeatCount",
    "repeatDur",
    "restart",
    "result",
    "role",
    "rotate",
    "rx",
    "ry",
    "scale",
    "seed",
    "shape-rendering",
    "side",
    "spacing",
    "specularConstant",
    "specularExponent",
    "spreadMethod",
    "startOffset",
    "stdDeviation",
    "stitchTiles",
    "stop-color",
    "stop-opacity",
    "stroke",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-opacity",
    "stroke-width",
    "style",
    "surfaceScale",
    "systemLanguage",
    "tabindex",
    "tableValues",
    "target",
    "targetX",
    "targetY",
    "text-anchor",
    "text-decoration",
    "text-rendering",
    "textLength",
    "to",
    "transform",
    "transform-box",
    "transform-origin",
    "type",
    "unicode-bidi",
    "values",
    "vector-effect",
    "version",
    "viewBox",
    "visibility",
    "width",
    "word-spacing",
    "writing-mode",
    "x",
    "x1",
    "x2",
    "xChannelSelector",
    "y",
    "y1",
    "y2",
    "yChannelSelector",
    "z",
    "zoomAndPan",
];

/// `xlink:` attributes allowed (`xlink:href` is checked like `href`).
const XLINK_ATTRIBUTES: &[&str] = &[
    "actuate", "arcrole", "href", "role", "show", "title", "type",
];

/// Raster types an `<image>` may carry inline as a `data:` URL (an SVG one could nest any of
/// the above again).
const DATA_IMAGES: &[&str] = &[
    "data:image/png",
    "data:image/jpeg",
    "data:image/jpg",
    "data:image/gif",
    "data:image/webp",
];

/// Why `data` is not an inert SVG image, or `None` when it is.
pub fn svg_problem(data: &[u8]) -> Option<String> {
    let Ok(text) = std::str::from_utf8(data) else {
        return Some("it is not UTF-8".into());
    };
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut seen_root = false;
    // The text of the `<style>` element being read, references decoded.
    let mut style: Option<String> = None;
    loop {
        let (namespace, event) = match reader.read_resolved_event() {
            Ok((namespace, event)) => (owned(namespace), event),
            Err(e) => return Some(format!("it is not well-formed XML: {e}")),
        };
        match event {
            Event::Start(ref start) | Event::Empty(ref start) => {
                if style.is_some() {
                    return Some("its `style` element holds markup".into());
                }
                let local = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                if let Some(why) = element_problem(&namespace, &local, !seen_root) {
                    return Some(why);
                }
                seen_root = true;
                if let Some(why) = attributes_problem(&reader, start, &local) {
                    return Some(why);
                }
                if local == "style" && namespace.is_svg() && matches!(event, Event::Start(_)) {
                    style = Some(String::new());
                }
            }
            Event::Text(content) => {
                if let Some(style) = &mut style {
                    match content.decode() {
                        Ok(text) => style.push_str(&text),
                        Err(_) => return Some("it is not well-formed XML".into()),
                    }
                }
            }
            Event::CData(content) => {
                if let Some(style) = &mut style {
                    style.push_str(&String::from_utf8_lossy(&content));
                }
            }
            Event::GeneralRef(reference) => {
                let decoded = match reference.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => match &*reference.decode().unwrap_or_default() {
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "amp" => "&".into(),
                        "apos" => "'".into(),
                        "quot" => "\"".into(),
                        other => return Some(format!("it uses the undeclared entity `&{other};`")),
                    },
                    Err(_) => return Some("it is not well-formed XML".into()),
                };
                if let Some(style) = &mut style {
                    style.push_str(&decoded);
                }
            }
            Event::End(_) => {
                if let Some(css) = style.take()
                    && let Some(why) = css_problem(&css)
                {
                    return Some(format!("its stylesheet {why}"));
                }
            }
            Event::DocType(doctype) => {
                // `<!DOCTYPE svg PUBLIC ...>` is common and harmless; an internal subset can
                // declare entities (billion laughs, external files).
                if doctype.contains(&b'[') {
                    return Some("its DOCTYPE declares entities".into());
                }
            }
            Event::PI(_) => {
                return Some(
                    "it has a processing instruction (such as xml-stylesheet, which loads \
                     another file)"
                        .into(),
                );
            }
            Event::Comment(_) | Event::Decl(_) => {}
            Event::Eof => {
                return (!seen_root).then(|| "it has no `svg` element".into());
            }
        }
    }
}

/// The namespace of a name, owned so the reader can be borrowed again.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ns {
    /// No prefix and no default namespace: read as SVG (a browser shows such a file as
    /// plain XML, which runs nothing).
    None,
    Bound(Vec<u8>),
    /// A prefix that was never declared.
    Unknown,
}

impl Ns {
    fn is_svg(&self) -> bool {
        match self {
            Ns::None => true,
            Ns::Bound(ns) => ns == SVG_NS,
            Ns::Unknown => false,
        }
    }

    fn is_inert(&self) -> bool {
        matches!(self, Ns::Bound(ns) if INERT_NAMESPACES.contains(&ns.as_slice()))
    }
}

fn owned(result: ResolveResult<'_>) -> Ns {
    match result {
        ResolveResult::Unbound => Ns::None,
        ResolveResult::Bound(Namespace(ns)) => Ns::Bound(ns.to_vec()),
        ResolveResult::Unknown(_) => Ns::Unknown,
    }
}

fn element_problem(namespace: &Ns, local: &str, root: bool) -> Option<String> {
    if namespace.is_svg() {
        if root && local != "svg" {
            return Some("its root element is not `svg`".into());
        }
        if !ELEMENTS.contains(&local) {
            return Some(format!("it has a `{local}` element"));
        }
        return None;
    }
    if namespace.is_inert() && !root {
        return None;
    }
    match namespace {
        Ns::Bound(ns) => Some(format!(
            "it has a `{local}` element in the namespace `{}`",
            String::from_utf8_lossy(ns)
        )),
        _ => Some(format!(
            "it has a `{local}` element with an undeclared prefix"
        )),
    }
}

fn attributes_problem(
    reader: &NsReader<&[u8]>,
    start: &BytesStart<'_>,
    element: &str,
) -> Option<String> {
    let mut animated: Option<String> = None;
    for attribute in start.attributes() {
        let Ok(attribute) = attribute else {
            return Some("it is not well-formed XML (an attribute)".into());
        };
        if attribute.key.as_namespace_binding().is_some() {
            // `xmlns` and `xmlns:x`: what they bind is checked where a name uses it.
            continue;
        }
        let (namespace, local) = reader.resolve_attribute(attribute.key);
        let namespace = owned(namespace);
        let local = String::from_utf8_lossy(local.as_ref()).into_owned();
        let Ok(value) = attribute.unescape_value() else {
            return Some(format!("its `{local}` attribute uses an undeclared entity"));
        };
        let allowed = match &namespace {
            Ns::None => {
                ATTRIBUTES.contains(&local.as_str())
                    || local.starts_with("data-")
                    || local.starts_with("aria-")
            }
            Ns::Bound(ns) if ns == XLINK_NS => XLINK_ATTRIBUTES.contains(&local.as_str()),
            Ns::Bound(ns) if ns == XML_NS => local == "space" || local == "lang",
            ns => ns.is_inert(),
        };
        if !allowed {
            return Some(format!("its `{element}` element has a `{local}` attribute"));
        }
        if local.len() > 2 && local[..2].eq_ignore_ascii_case("on") {
            return Some("it has an event handler attribute".into());
        }
        let is_link = local == "href"
            && (matches!(&namespace, Ns::None)
                || matches!(&namespace, Ns::Bound(ns) if ns == XLINK_NS));
        if is_link && !local_reference(&value, element) {
            return Some(format!(
                "its `{element}` element refers to `{}` outside the image",
                value.chars().take(60).collect::<String>()
            ));
        }
        if local == "attributeName" {
            animated = Some(value.to_string());
        }
        if local == "style"
            && let Some(why) = css_problem(&value)
        {
            return Some(format!("its `style` attribute {why}"));
        }
        if let Some(why) = url_problem(&value) {
            return Some(format!("its `{local}` attribute {why}"));
        }
    }
    if let Some(name) = animated {
        // `<set attributeName="href" to="javascript:...">` turns an inert link into a live
        // one after the checks above; animating a handler or a style is no better.
        let bare = name
            .rsplit(':')
            .next()
            .unwrap_or(&name)
            .to_ascii_lowercase();
        if bare == "href" || bare.starts_with("on") || bare == "style" {
            return Some(format!("it animates the `{name}` attribute"));
        }
    }
    None
}

/// True for `#fragment`, and for an inline raster image on `<image>` or `<feImage>`.
fn local_reference(value: &str, element: &str) -> bool {
    let value = value.trim_matches([' ', '\t', '\n', '\r']);
    if value.starts_with('#') {
        return true;
    }
    let lower = value.to_ascii_lowercase();
    matches!(element, "image" | "feImage")
        && DATA_IMAGES.iter().any(|prefix| {
            lower
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with([';', ',']))
        })
}

/// Why a CSS text (a stylesheet or a `style` attribute) may load something or hide from this
/// check, or `None`.
fn css_problem(css: &str) -> Option<String> {
    if css.contains('\\') {
        // CSS escapes (`u\72l(`, `@\69mport`) could spell anything below.
        return Some("uses CSS escapes".into());
    }
    let lower = css.to_ascii_lowercase();
    for word in [
        "@import",
        "image-set(",
        "src(",
        "expression(",
        "-moz-binding",
        "behavior",
    ] {
        if lower.contains(word) {
            return Some(format!("uses `{word}`"));
        }
    }
    url_problem(css)
}

/// Why a value uses `url()` for anything but a local `#fragment` (every `url(` is checked,
/// so a harmless `url(#g)` cannot vouch for a remote one beside it).
fn url_problem(value: &str) -> Option<String> {
    let lower = value.to_ascii_lowercase();
    let remote = lower.match_indices("url(").any(|(i, _)| {
        let rest = lower[i + 4..].trim_start_matches([' ', '\t', '\n', '\r', '\x0c', '"', '\'']);
        !rest.starts_with('#')
    });
    remote.then(|| "refers to a resource outside the image with `url()`".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svg(body: &str) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">{body}</svg>"
        )
    }

    #[test]
    fn plain_drawings_pass() {
        for ok in [
            svg("<circle r=\"1\" fill=\"red\"/>"),
            svg(
                "<defs><linearGradient id=\"g\"><stop offset=\"0\"/></linearGradient></defs>\
                 <rect fill=\"url(#g)\" style=\"fill: url( '#g' )\"/><use xlink:href=\"#g\"/>",
            ),
            svg("<style>rect { fill: url(#g); stroke: blue }</style><rect/>"),
            svg("<image href=\"data:image/png;base64,iVBORw0KGgo=\" width=\"1\"/>"),
            "<?xml version=\"1.0\"?><!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \
             \"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\"><svg xmlns=\"http://www.w3.org/2000/svg\" \
             xmlns:inkscape=\"http://www.inkscape.org/namespaces/inkscape\" inkscape:version=\"1.0\">\
             <metadata><inkscape:x/></metadata><g inkscape:label=\"L\"><text>url and &amp; &#65;</text></g></svg>"
                .to_string(),
            "<svg><circle r=\"1\"/></svg>".to_string(),
            svg("<animate attributeName=\"opacity\" from=\"0\" to=\"1\" dur=\"1s\"/>"),
        ] {
            assert_eq!(svg_problem(ok.as_bytes()), None, "{ok}");
        }
    }

    /// The eight bypasses a red-team pass found in the old substring checks, and more.
    #[test]
    fn script_links_and_remote_resources_are_refused() {
        for bad in [
            // Script in any namespace or prefix.
            "<s:svg xmlns:s=\"http://www.w3.org/2000/svg\"><s:script>alert(1)</s:script></s:svg>"
                .to_string(),
            svg("<h:script xmlns:h=\"http://www.w3.org/1999/xhtml\">alert(1)</h:script>"),
            svg("<script>alert(1)</script>"),
            svg("<Script>alert(1)</Script>"),
            // Links and references, however the attribute is spaced.
            svg("<a href\n=\"javascript:alert(1)\"><rect/></a>"),
            svg("<image xlink:href\t=\"https://evil.example/x.png\"/>"),
            svg("<image href=\"data:image/svg+xml;base64,PHN2Zz4=\"/>"),
            svg("<use href=\"other.svg#a\"/>"),
            // A harmless url(#g) beside a remote one.
            svg("<rect fill=\"url(#g)\" stroke=\"url(https://evil.example/p)\"/>"),
            svg("<rect style=\"fill:url(#g);stroke:url(https://evil.example/p)\"/>"),
            svg("<style>@import \"https://evil.example/x.css\";</style>"),
            svg("<style>rect { fill: u\\72l(https://evil.example/p) }</style>"),
            svg("<style>rect { fill: &#117;rl(https://evil.example/p) }</style>"),
            svg("<style><![CDATA[rect { fill: url(https://evil.example/p) }]]></style>"),
            svg("<style>rect { background: image-set(\"https://evil.example/p\" 1x) }</style>"),
            // Animation that rewrites a link.
            svg("<a href=\"#a\"><set attributeName=\"href\" to=\"javascript:alert(1)\"/></a>"),
            svg("<a><animate attributeName=\"xlink:href\" values=\"javascript:alert(1)\"/></a>"),
            // HTML inside.
            svg(
                "<foreignObject><iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"/></foreignObject>",
            ),
            svg("<h:iframe xmlns:h=\"http://www.w3.org/1999/xhtml\" srcdoc=\"x\"/>"),
            svg("<iframe srcdoc=\"x\"/>"),
            // Handlers, entities, processing instructions, other roots, broken XML.
            "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_string(),
            svg("<rect ONCLICK=\"alert(1)\"/>"),
            "<!DOCTYPE svg [<!ENTITY x \"y\">]><svg>&x;</svg>".to_string(),
            "<?xml-stylesheet href=\"https://evil.example/x.css\"?><svg/>".to_string(),
            "<html xmlns=\"http://www.w3.org/1999/xhtml\"/>".to_string(),
            "<svg xmlns=\"http://www.w3.org/1999/xhtml\"><script>alert(1)</script></svg>"
                .to_string(),
            "<svg><g></svg>".to_string(),
            svg("<rect xml:base=\"https://evil.example/\"/>"),
            svg("<text>&undeclared;</text>"),
        ] {
            assert!(svg_problem(bad.as_bytes()).is_some(), "accepted: {bad}");
        }
    }
}
