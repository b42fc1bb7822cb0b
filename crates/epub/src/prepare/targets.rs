//! What becomes of links and images in a closed package: the targets a link may keep,
//! and the images that can be stored (and at which path).

use bindery_model::{Span, Warning, svg_problem};

use super::{PackagedImage, Preparer};

/// Where images live inside the package's content directory.
const IMAGE_DIR: &str = "images";

/// The image media types every EPUB 3 reader must support (EPUB 3.3 core media types).
fn extension(media_type: &str) -> Option<&'static str> {
    Some(match media_type {
        "image/png" => "png",
        "image/jpeg" => "jpg",
        "image/gif" => "gif",
        "image/svg+xml" => "svg",
        "image/webp" => "webp",
        _ => return None,
    })
}

/// What becomes of a link.
pub(super) enum LinkFate {
    Keep,
    /// Kept with this URL: a fragment written percent-encoded, decoded to the heading id so
    /// the HTML writer finds the chapter that holds it.
    KeepAs(String),
    /// Only the text stays.
    Unwrap,
}

/// What becomes of an image.
pub(super) enum ImageFate {
    /// Stored in the package at this path.
    Packaged(String),
    /// A remote image: a link to it.
    Remote,
    /// Only the alt text stays.
    AltText,
}

impl Preparer<'_> {
    pub(super) fn link_fate(&mut self, url: &str, span: Option<Span>) -> LinkFate {
        if let Some(fragment) = url.strip_prefix('#') {
            if self.ids.contains(fragment) {
                return LinkFate::Keep;
            }
            let decoded = percent_decode(fragment);
            if self.ids.contains(&decoded) {
                return LinkFate::KeepAs(format!("#{decoded}"));
            }
            self.warnings.push(
                Warning::new(
                    format!("link to `{url}` has no target in the document; its text is kept"),
                    span,
                )
                .of_kind(bindery_model::WarningKind::BrokenLink)
                .with_hint("internal links must name the id of a heading"),
            );
            return LinkFate::Unwrap;
        }
        if has_scheme(url) {
            return LinkFate::Keep;
        }
        self.warnings.push(
            Warning::new(
                format!("link to `{url}` points outside the book; its text is kept"),
                span,
            )
            .of_kind(bindery_model::WarningKind::UnsupportedLink)
            .with_hint(
                "an EPUB can only link to its own chapters and to absolute URLs (https://...)",
            ),
        );
        LinkFate::Unwrap
    }

    pub(super) fn image_fate(&mut self, url: &str, span: Option<Span>) -> ImageFate {
        if let Some(path) = self.package_image(url, span) {
            return ImageFate::Packaged(path);
        }
        if self.source.contains_key(url) {
            // Loaded but refused: package_image has said why.
            return ImageFate::AltText;
        }
        if has_scheme(url) && !url.to_ascii_lowercase().starts_with("data:") {
            self.warnings.push(
                Warning::new(
                    format!(
                        "remote image `{url}` is not embedded in the EPUB; it is shown as a link"
                    ),
                    span,
                )
                .of_kind(bindery_model::WarningKind::Image)
                .with_hint("save the image next to the document to embed it"),
            );
            return ImageFate::Remote;
        }
        let message = if url.to_ascii_lowercase().starts_with("data:") {
            "an image written as a data: URL is not embedded in the EPUB; its alt text is shown"
                .to_string()
        } else {
            format!("image `{url}` was not loaded; its alt text is shown")
        };
        self.warnings.push(
            Warning::new(message, span)
                .of_kind(bindery_model::WarningKind::Image)
                .with_hint("check that the file exists inside the input directory"),
        );
        ImageFate::AltText
    }

    /// The package path of a loaded image, storing it on first use; `None` (with a warning,
    /// once per URL) when it was loaded but cannot go into an EPUB.
    pub(super) fn package_image(&mut self, url: &str, span: Option<Span>) -> Option<String> {
        if let Some(known) = self.by_url.get(url) {
            return known.clone();
        }
        let asset = self.source.get(url)?;
        let problem = match extension(&asset.media_type) {
            None => Some(format!(
                "image `{url}` is {}, which EPUB readers need not support; its alt text is shown",
                asset.media_type
            )),
            Some("svg") => svg_problem(&asset.data).map(|why| {
                format!("SVG image `{url}` is not embedded: {why}; its alt text is shown")
            }),
            Some(_) => None,
        };
        let path = match problem {
            Some(message) => {
                self.warnings.push(
                    Warning::new(message, span)
                        .of_kind(bindery_model::WarningKind::Image)
                        .with_hint("use a PNG, JPEG, GIF, WebP or plain SVG image"),
                );
                None
            }
            None => {
                let ext = extension(&asset.media_type).unwrap_or("bin");
                let path = format!("{IMAGE_DIR}/img-{}.{ext}", self.images.len() + 1);
                self.images.push(PackagedImage {
                    path: path.clone(),
                    media_type: asset.media_type.clone(),
                    data: asset.data.clone(),
                });
                Some(path)
            }
        };
        self.by_url.insert(url.to_string(), path.clone());
        path
    }
}

/// True for an absolute URL (`https:`, `mailto:`...), as opposed to a path relative to the
/// document. A single letter before the colon is a Windows drive, not a scheme.
pub(crate) fn has_scheme(url: &str) -> bool {
    bindery_model::url_scheme(url).is_some()
}

/// `%XX` escapes decoded (a fragment may be written encoded); invalid UTF-8 stays as it was.
fn percent_decode(s: &str) -> String {
    bindery_model::percent_decode(s).into_owned()
}

#[cfg(test)]
mod tests {
    use bindery_model::Assets;
    use bindery_model::build::*;

    use super::super::prepare;
    use super::super::tests::{asset, doc};
    use super::*;

    #[test]
    fn local_images_get_package_paths_once() {
        let mut assets = Assets::new();
        assets.insert("pics/a b.png".into(), asset("image/png", b"png"));
        let d = doc(vec![para(vec![
            image("pics/a b.png", vec![text("A")]),
            image("pics/a b.png", vec![text("again")]),
        ])]);
        let prepared = prepare(&d, &assets);
        assert!(prepared.warnings.is_empty(), "{:?}", prepared.warnings);
        assert_eq!(prepared.images.len(), 1);
        assert_eq!(prepared.images[0].path, "images/img-1.png");
        assert_eq!(prepared.assets["images/img-1.png"].size, Some((2, 3)));
        assert_eq!(
            prepared.document.blocks,
            vec![para(vec![
                image("images/img-1.png", vec![text("A")]),
                image("images/img-1.png", vec![text("again")]),
            ])]
        );
    }

    #[test]
    fn remote_and_missing_images_degrade_with_warnings() {
        let mut assets = Assets::new();
        assets.insert("x.bmp".into(), asset("image/bmp", b"bmp"));
        let d = doc(vec![para(vec![
            image("https://example.org/i.png", vec![text("remote")]),
            image("missing.png", vec![text("missing")]),
            image("x.bmp", vec![text("bmp")]),
            link(
                "https://example.org",
                vec![image("https://example.org/i.png", vec![text("in link")])],
            ),
        ])]);
        let prepared = prepare(&d, &assets);
        assert_eq!(prepared.warnings.len(), 4, "{:?}", prepared.warnings);
        assert_eq!(
            prepared.document.blocks,
            vec![para(vec![
                link("https://example.org/i.png", vec![text("remote")]),
                text("missing"),
                text("bmp"),
                link("https://example.org", vec![text("in link")]),
            ])]
        );
    }

    #[test]
    fn links_outside_the_book_keep_their_text() {
        let d = doc(vec![
            heading(1, "über", vec![text("Über")]),
            para(vec![
                link("#über", vec![text("ok")]),
                link("#%C3%BCber", vec![text("encoded")]),
                link("#nowhere", vec![text("gone")]),
                link("other.md", vec![text("file")]),
                link("mailto:a@b.c", vec![text("mail")]),
            ]),
        ]);
        let prepared = prepare(&d, &Assets::new());
        assert_eq!(prepared.warnings.len(), 2, "{:?}", prepared.warnings);
        assert_eq!(
            prepared.document.blocks[1],
            para(vec![
                link("#über", vec![text("ok")]),
                link("#über", vec![text("encoded")]),
                text("gone"),
                text("file"),
                link("mailto:a@b.c", vec![text("mail")]),
            ])
        );
    }

    #[test]
    fn schemes() {
        assert!(has_scheme("https://x"));
        assert!(has_scheme("mailto:x@y"));
        assert!(!has_scheme("c:/x"));
        assert!(!has_scheme("a/b:c"));
        assert!(!has_scheme("#x"));
    }
}
