//! Inline output: text, emphasis, links, images, math and footnote references.

use bindery_model::{Inline, Target, Warning, footnote_id, footnote_ref_id, plain_text};

use crate::blocks::Writer;
use crate::escape::data_url;

impl<'a> Writer<'a> {
    pub(crate) fn inlines(&mut self, inlines: &'a [Inline]) {
        for inline in inlines {
            self.inline(inline);
        }
    }

    fn inline(&mut self, inline: &'a Inline) {
        match inline {
            Inline::Text(text) => self.text(text),
            Inline::SoftBreak => self.push("\n"),
            Inline::LineBreak => {
                self.push("<br");
                self.push(self.void_end());
                self.push("\n");
            }
            Inline::Emph(content) => self.wrapped("em", content),
            Inline::Strong(content) => self.wrapped("strong", content),
            Inline::Strikeout(content) => self.wrapped("del", content),
            Inline::Subscript(content) => self.wrapped("sub", content),
            Inline::Superscript(content) => self.wrapped("sup", content),
            Inline::Mark(content) => self.wrapped("mark", content),
            Inline::Underline(content) => self.wrapped("u", content),
            Inline::Keyboard(content) => self.wrapped("kbd", content),
            Inline::Span { attr, content } => {
                self.push("<span");
                self.attributes(attr);
                self.push(">");
                self.inlines(content);
                self.push("</span>");
            }
            Inline::Code(code) => {
                self.push("<code>");
                self.text(code);
                self.push("</code>");
            }
            Inline::Link {
                target, content, ..
            } => {
                self.push("<a");
                let url = self.link_url(&target.url);
                self.url_attr("href", &url);
                if !target.title.is_empty() {
                    self.attr("title", &target.title);
                }
                if let Some(attr) = &target.attr {
                    self.attributes_except(attr, written_title(target));
                }
                self.push(">");
                self.inlines(content);
                self.push("</a>");
            }
            Inline::Image { target, alt } => self.image(target, alt),
            Inline::Raw { format, text, span } => {
                if format == "html" {
                    self.first_raw_html.get_or_insert(span.or(self.span));
                    self.push(text);
                }
            }
            Inline::Math { display, tex, span } => self.math(*display, tex, *span),
            Inline::Note(blocks) => {
                self.notes.push(blocks);
                let n = self.notes.len();
                self.push("<sup class=\"footnote-ref\"><a");
                self.attr("href", &format!("#{}", footnote_id(n)));
                self.attr("id", &footnote_ref_id(n));
                if self.options.xhtml {
                    self.push(" epub:type=\"noteref\"");
                }
                self.push(&format!(" role=\"doc-noteref\">{n}</a></sup>"));
            }
        }
    }

    /// MathML Core made at build time; a formula that cannot be converted stays TeX source in
    /// `code`, between its dollars, with a warning at its block.
    fn math(&mut self, display: bool, tex: &str, span: Option<bindery_model::Span>) {
        match crate::math::to_mathml(tex, display, self.options.xhtml) {
            Ok(mathml) => {
                self.mathml = true;
                self.push(&mathml);
            }
            Err(message) => {
                self.warnings.push(
                    Warning::new(message, span.or(self.span))
                        .of_kind(bindery_model::WarningKind::Math),
                );
                let dollars = if display { "$$" } else { "$" };
                self.push("<code class=\"math-source\">");
                self.text(dollars);
                self.text(tex);
                self.text(dollars);
                self.push("</code>");
            }
        }
    }

    fn wrapped(&mut self, tag: &str, content: &'a [Inline]) {
        self.push("<");
        self.push(tag);
        self.push(">");
        self.inlines(content);
        self.push("</");
        self.push(tag);
        self.push(">");
    }

    /// In a chapter, a link to a heading in another chapter must name that chapter's file.
    fn link_url(&self, url: &str) -> String {
        if let (Some(files), Some(id)) = (self.fragment_files, url.strip_prefix('#'))
            && let Some(file) = files.get(id)
        {
            return format!("{file}#{id}");
        }
        url.to_string()
    }

    fn image(&mut self, target: &Target, alt: &[Inline]) {
        self.push("<img");
        let embedded = if self.options.embed_resources {
            self.embedded(&target.url)
        } else {
            None
        };
        match embedded {
            // A data: URL is all safe characters already; percent-encoding would only slow it.
            Some(data) => self.attr("src", &data),
            None => self.url_attr("src", &target.url),
        }
        self.attr("alt", &plain_text(alt));
        if !target.title.is_empty() {
            self.attr("title", &target.title);
        }
        let sized = target.attr.as_deref().is_some_and(|attr| {
            attr.attrs
                .iter()
                .any(|(name, _)| name == "width" || name == "height")
        });
        // The author's size wins; its attributes were checked by the model's sanitize.
        if let Some(attr) = &target.attr {
            self.attributes_except(attr, written_title(target));
        }
        // Else the intrinsic size lets the browser reserve the space before the image
        // arrives (the stylesheet's `height: auto` keeps the ratio when it is scaled down).
        if !sized && let Some((width, height)) = self.assets.get(&target.url).and_then(|a| a.size) {
            self.push(&format!(" width=\"{width}\" height=\"{height}\""));
        }
        self.push(self.void_end());
    }

    /// The image as a `data:` URL when the pipeline loaded it. A local image that was not
    /// loaded gets a warning, since the page will not stand alone; remote ones stay links.
    fn embedded(&mut self, url: &str) -> Option<String> {
        if let Some(asset) = self.assets.get(url) {
            return Some(data_url(&asset.media_type, &asset.data));
        }
        let remote = url.contains("://") || url.starts_with("data:") || url.starts_with("//");
        if !remote {
            self.warnings.push(
                Warning::new(
                    format!("image `{url}` was not embedded: it was not loaded"),
                    self.span,
                )
                .of_kind(bindery_model::WarningKind::Image)
                .with_hint("check that the file exists inside the input directory"),
            );
        }
        None
    }
}

/// The attribute a link or image has already written from its target: its `title`.
fn written_title(target: &Target) -> &'static [&'static str] {
    if target.title.is_empty() {
        &[]
    } else {
        &["title"]
    }
}
