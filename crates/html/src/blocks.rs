//! The writer's state and its block-level output; inline content is in `inlines.rs`.

use std::collections::BTreeMap;

use bindery_model::{
    Alignment, Assets, Attr, Block, BlockKind, DefinitionItem, Inline, ListItem, Span, Table,
    Warned, Warning, footnote_id, footnote_ref_id, splice,
};

use crate::escape::{push_escaped, push_href};
use crate::{Options, Resources};

/// One page being written: the output so far, the footnotes met on it, and the warnings.
///
/// Notes are numbered per writer, so a page (or an EPUB chapter) always starts at 1.
pub(crate) struct Writer<'a> {
    pub(crate) options: &'a Options,
    pub(crate) assets: &'a Assets,
    resources: &'a Resources,
    pub(crate) fragment_files: Option<&'a BTreeMap<String, String>>,
    pub(crate) out: String,
    /// Note contents in reference order; the note numbered `n` is `notes[n - 1]`.
    pub(crate) notes: Vec<&'a [Block]>,
    pub(crate) warnings: Vec<Warning>,
    /// The innermost block with a source span, for warnings about inline content.
    pub(crate) span: Option<Span>,
    /// Where raw HTML was first copied through (XHTML pages warn about it once).
    pub(crate) first_raw_html: Option<Option<Span>>,
    /// Whether a formula was written as MathML (EPUB declares it in the manifest).
    pub(crate) mathml: bool,
    /// Code blocks to highlight once the page is written: where in `out` each one goes, its
    /// language and its text. Highlighting is most of the writer's time, and each block is
    /// independent of the others, so the pipeline may have done them ahead (into the memo).
    deferred_code: Vec<(usize, &'a str, &'a str)>,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(options: &'a Options, assets: &'a Assets, resources: &'a Resources) -> Self {
        Self {
            options,
            assets,
            resources,
            fragment_files: None,
            out: String::new(),
            notes: Vec::new(),
            warnings: Vec::new(),
            span: None,
            first_raw_html: None,
            mathml: false,
            deferred_code: Vec::new(),
        }
    }

    /// Closes a void element: `>` in HTML, ` />` in XHTML.
    pub(crate) fn void_end(&self) -> &'static str {
        if self.options.xhtml { " />" } else { ">" }
    }

    /// A boolean attribute with a leading space: minimised in HTML, spelled out in XHTML.
    pub(crate) fn bool_attr(&self, name: &str) -> String {
        if self.options.xhtml {
            format!(" {name}=\"{name}\"")
        } else {
            format!(" {name}")
        }
    }

    pub(crate) fn push(&mut self, s: &str) {
        self.out.push_str(s);
    }

    pub(crate) fn text(&mut self, s: &str) {
        push_escaped(&mut self.out, s);
    }

    /// Starts a new line unless the output is at the start of one (cmark's `cr`).
    fn cr(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    /// ` name="value"` with the value escaped.
    pub(crate) fn attr(&mut self, name: &str, value: &str) {
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        push_escaped(&mut self.out, value);
        self.out.push('"');
    }

    /// ` name="url"` with the URL percent-encoded as cmark does.
    pub(crate) fn url_attr(&mut self, name: &str, url: &str) {
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        push_href(&mut self.out, url);
        self.out.push('"');
    }

    pub(crate) fn blocks(&mut self, blocks: &'a [Block]) {
        for block in blocks {
            self.block(block);
        }
    }

    pub(crate) fn block(&mut self, block: &'a Block) {
        let outer = self.span;
        self.span = block.span.or(outer);
        match &block.kind {
            BlockKind::Plain(content) => self.inlines(content),
            BlockKind::Para(content) => {
                self.cr();
                self.push("<p>");
                self.inlines(content);
                self.push("</p>\n");
            }
            BlockKind::Heading {
                level,
                attr,
                content,
            } => self.heading(*level, attr, content),
            BlockKind::CodeBlock {
                lang, text, attr, ..
            } => self.code_block(lang.as_deref(), text, attr.as_deref()),
            BlockKind::RawBlock { format, text } => {
                if format == "html" {
                    self.first_raw_html.get_or_insert(self.span);
                    self.cr();
                    self.push(text);
                    self.cr();
                }
            }
            BlockKind::Div { attr, blocks }
                if attr.classes.first().is_some_and(|c| c == "details") =>
            {
                self.details(attr, blocks)
            }
            BlockKind::Div { attr, blocks } => {
                // A `div`, also for `summary` and the other containers read from raw HTML
                // (their name is the first class): `summary` holds phrasing content and must
                // be the first child of `details`, which `details` above makes sure of.
                self.cr();
                self.push("<div");
                self.attributes(attr);
                self.push(">\n");
                self.blocks(blocks);
                self.cr();
                self.push("</div>\n");
            }
            BlockKind::Figure {
                attr,
                blocks,
                caption,
            } => {
                self.cr();
                self.push("<figure");
                self.attributes(attr);
                self.push(">\n");
                self.blocks(blocks);
                if !caption.is_empty() {
                    self.cr();
                    self.push("<figcaption>");
                    self.inlines(caption);
                    self.push("</figcaption>\n");
                }
                self.cr();
                self.push("</figure>\n");
            }
            BlockKind::BlockQuote(blocks) => {
                self.cr();
                self.push("<blockquote>\n");
                self.blocks(blocks);
                self.cr();
                self.push("</blockquote>\n");
            }
            BlockKind::Alert {
                kind,
                title,
                blocks,
            } => {
                self.cr();
                self.push("<div class=\"alert alert-");
                self.push(kind.name());
                self.push("\">\n<p class=\"alert-title\">");
                self.text(title.as_deref().unwrap_or(kind.default_title()));
                self.push("</p>\n");
                self.blocks(blocks);
                self.cr();
                self.push("</div>\n");
            }
            BlockKind::BulletList(items) => {
                self.cr();
                let tasks = items.iter().any(|item| item.checked.is_some());
                self.push(if tasks {
                    "<ul class=\"task-list\">\n"
                } else {
                    "<ul>\n"
                });
                self.list_items(items);
                self.push("</ul>\n");
            }
            BlockKind::OrderedList { start, items, .. } => {
                self.cr();
                self.push("<ol");
                if *start != 1 {
                    self.attr("start", &start.to_string());
                }
                if items.iter().any(|item| item.checked.is_some()) {
                    self.push(" class=\"task-list\"");
                }
                self.push(">\n");
                self.list_items(items);
                self.push("</ol>\n");
            }
            BlockKind::DefinitionList(items) => self.definition_list(items),
            BlockKind::Table(table) => self.table(table),
            BlockKind::ThematicBreak => {
                self.cr();
                self.push("<hr");
                self.push(self.void_end());
                self.push("\n");
            }
        }
        self.span = outer;
    }

    /// Raw HTML's `<details>` (a `Div` of class `details`) as a disclosure widget, its
    /// `<summary>` (a first child `Div` of class `summary` holding one paragraph) as its
    /// label; any other first child stays in the body, and browsers label it "Details".
    fn details(&mut self, attr: &Attr, blocks: &'a [Block]) {
        let own = Attr {
            classes: attr.classes[1..].to_vec(),
            ..attr.clone()
        };
        let summary = blocks.first().and_then(|first| match &first.kind {
            BlockKind::Div { attr, blocks }
                if attr.classes.first().is_some_and(|c| c == "summary") =>
            {
                match blocks.as_slice() {
                    [
                        Block {
                            kind: BlockKind::Plain(content) | BlockKind::Para(content),
                            ..
                        },
                    ] => Some(content),
                    _ => None,
                }
            }
            _ => None,
        });
        self.cr();
        self.push("<details");
        self.attributes(&own);
        self.push(">\n");
        let body = match summary {
            Some(content) => {
                self.push("<summary>");
                self.inlines(content);
                self.push("</summary>\n");
                &blocks[1..]
            }
            None => blocks,
        };
        self.blocks(body);
        self.cr();
        self.push("</details>\n");
    }

    fn heading(&mut self, level: u8, attr: &Attr, content: &'a [Inline]) {
        let level = level.clamp(1, 6);
        self.cr();
        self.push(&format!("<h{level}"));
        self.attributes(attr);
        self.push(">");
        self.inlines(content);
        if self.options.heading_anchors && !attr.id.is_empty() {
            self.push(" <a class=\"anchor\"");
            self.url_attr("href", &format!("#{}", attr.id));
            self.push(" aria-hidden=\"true\">§</a>");
        }
        self.push(&format!("</h{level}>\n"));
    }

    /// `id`, `class` and the other attributes of an [`Attr`], as they are: the model's
    /// `sanitize` has already made the id unique and kept only allowed attributes, each once.
    pub(crate) fn attributes(&mut self, attr: &Attr) {
        self.attributes_except(attr, &[]);
    }

    /// [`Self::attributes`] without the names in `written`, which the element has already
    /// written from its own fields (a link's `title`, an image's `width`).
    pub(crate) fn attributes_except(&mut self, attr: &Attr, written: &[&str]) {
        if !attr.id.is_empty() {
            self.attr("id", &attr.id);
        }
        if !attr.classes.is_empty() {
            self.attr("class", &attr.classes.join(" "));
        }
        for (name, value) in &attr.attrs {
            if !written.contains(&name.as_str()) {
                self.attr(name, value);
            }
        }
    }

    /// The code's attributes go on `<pre>` (its id is an anchor), the language on `<code>`.
    fn code_block(&mut self, lang: Option<&'a str>, code: &'a str, attr: Option<&Attr>) {
        self.cr();
        self.push("<pre");
        if let Some(attr) = attr {
            self.attributes(attr);
        }
        self.push("><code");
        let lang = lang.filter(|l| !l.is_empty());
        if let Some(lang) = lang {
            self.attr("class", &format!("language-{lang}"));
        }
        self.push(">");
        match lang {
            Some(lang) if self.options.highlight && self.resources.knows(lang) => {
                self.deferred_code.push((self.out.len(), lang, code));
            }
            _ => self.text(code),
        }
        self.push("</code></pre>\n");
    }

    /// Highlights the deferred code blocks, one after another, and splices them into the
    /// output in document order. The writer stays sequential (shared/DESIGN.md, point 9): a
    /// large document's blocks are highlighted ahead as separate jobs by the pipeline
    /// ([`crate::code_to_highlight`]), and found here in the memo.
    fn splice_code(&mut self) {
        if self.deferred_code.is_empty() {
            return;
        }
        let resources = self.resources;
        let highlighted: Vec<(usize, String)> = self
            .deferred_code
            .iter()
            .map(|&(at, lang, code)| {
                // A grammar that fails on this input leaves the block as plain text.
                let html = resources.highlight(lang, code).unwrap_or_else(|| {
                    let mut plain = String::new();
                    push_escaped(&mut plain, code);
                    plain
                });
                (at, html)
            })
            .collect();
        self.out = splice(&self.out, &highlighted);
        self.deferred_code.clear();
    }

    fn list_items(&mut self, items: &'a [ListItem]) {
        for item in items {
            self.cr();
            match item.checked {
                None => {
                    self.push("<li>");
                    self.blocks(&item.blocks);
                }
                Some(checked) => {
                    self.push("<li class=\"task\">");
                    self.task_item(checked, &item.blocks);
                }
            }
            self.push("</li>\n");
        }
    }

    /// The checkbox goes inside the item's first paragraph, so it sits on the text's line.
    fn task_item(&mut self, checked: bool, blocks: &'a [Block]) {
        let mut checkbox = String::from("<input type=\"checkbox\"");
        checkbox.push_str(&self.bool_attr("disabled"));
        if checked {
            checkbox.push_str(&self.bool_attr("checked"));
        }
        checkbox.push_str(self.void_end());
        checkbox.push(' ');
        let (first, rest) = match blocks.split_first() {
            Some((first, rest)) => (Some(first), rest),
            None => (None, blocks),
        };
        match first.map(|b| &b.kind) {
            Some(BlockKind::Plain(content)) => {
                self.push(&checkbox);
                self.inlines(content);
            }
            Some(BlockKind::Para(content)) => {
                self.cr();
                self.push("<p>");
                self.push(&checkbox);
                self.inlines(content);
                self.push("</p>\n");
            }
            _ => {
                self.push(checkbox.trim_end());
                if let Some(first) = first {
                    self.block(first);
                }
            }
        }
        self.blocks(rest);
    }

    fn definition_list(&mut self, items: &'a [DefinitionItem]) {
        self.cr();
        self.push("<dl>\n");
        for item in items {
            self.push("<dt>");
            self.inlines(&item.term);
            self.push("</dt>\n");
            for definition in &item.definitions {
                self.push("<dd>");
                self.blocks(definition);
                self.push("</dd>\n");
            }
        }
        self.push("</dl>\n");
    }

    /// Tables sit in a scrolling wrapper, so a wide one scrolls instead of widening a phone's
    /// page. Alignment is a `style`: the `align` attribute is obsolete in HTML5 and rejected
    /// by EPUBCheck.
    fn table(&mut self, table: &'a Table) {
        self.cr();
        self.push("<div class=\"table-wrapper\">\n<table");
        if let Some(attr) = &table.attr {
            self.attributes(attr);
        }
        self.push(">\n<thead>\n");
        self.table_row(&table.head, &table.aligns, "th");
        self.push("</thead>\n");
        if !table.rows.is_empty() {
            self.push("<tbody>\n");
            for row in &table.rows {
                self.table_row(row, &table.aligns, "td");
            }
            self.push("</tbody>\n");
        }
        self.push("</table>\n</div>\n");
    }

    fn table_row(&mut self, cells: &'a [Vec<Inline>], aligns: &[Alignment], tag: &str) {
        self.push("<tr>\n");
        for (i, cell) in cells.iter().enumerate() {
            self.push("<");
            self.push(tag);
            let align = match aligns.get(i).copied().unwrap_or_default() {
                Alignment::Default => None,
                Alignment::Left => Some("left"),
                Alignment::Center => Some("center"),
                Alignment::Right => Some("right"),
            };
            if let Some(align) = align {
                self.attr("style", &format!("text-align: {align}"));
            }
            self.push(">");
            self.inlines(cell);
            self.push(&format!("</{tag}>\n"));
        }
        self.push("</tr>\n");
    }

    /// Warnings about the page as a whole, once it is written.
    pub(crate) fn finish(mut self) -> Warned<String> {
        self.splice_code();
        if self.options.xhtml
            && !self.options.raw_html_checked
            && let Some(span) = self.first_raw_html
        {
            self.warnings.push(
                Warning::new("raw HTML was copied into XHTML as it is", span)
                    .of_kind(bindery_model::WarningKind::RawHtml)
                    .with_hint(
                        "EPUB readers reject markup that is not well-formed XML; \
                     check it, or use --raw-html escape",
                    ),
            );
        }
        Warned {
            output: self.out,
            warnings: self.warnings,
        }
    }

    /// The page's footnotes, numbered as referenced, each with a link back to its reference.
    /// Notes met inside notes are numbered after the others and listed too.
    pub(crate) fn footnotes(&mut self) {
        if self.notes.is_empty() {
            return;
        }
        self.cr();
        self.push("<section class=\"footnotes\" role=\"doc-endnotes\"");
        if self.options.xhtml {
            self.push(" epub:type=\"footnotes\"");
        }
        self.push(">\n<ol>\n");
        let mut index = 0;
        while index < self.notes.len() {
            let number = index + 1;
            let blocks = self.notes[index];
            self.push("<li");
            self.attr("id", &footnote_id(number));
            if self.options.xhtml {
                self.push(" epub:type=\"footnote\"");
            }
            self.push(">\n");
            self.note_body(number, blocks);
            self.cr();
            self.push("</li>\n");
            index += 1;
        }
        self.push("</ol>\n</section>\n");
    }

    /// The back-link goes at the end of the note's last paragraph when it has one.
    fn note_body(&mut self, number: usize, blocks: &'a [Block]) {
        // U+FE0E asks for the text form of the arrow; iOS would draw an emoji otherwise.
        let backref = format!(
            "<a href=\"#{}\" class=\"footnote-backref\" \
             aria-label=\"Back to reference {number}\">\u{21a9}\u{fe0e}</a>",
            footnote_ref_id(number)
        );
        let Some((last, init)) = blocks.split_last() else {
            self.push(&format!("<p>{backref}</p>\n"));
            return;
        };
        self.blocks(init);
        match &last.kind {
            BlockKind::Para(content) | BlockKind::Plain(content) => {
                self.cr();
                self.push("<p>");
                self.inlines(content);
                self.push(" ");
                self.push(&backref);
                self.push("</p>\n");
            }
            _ => {
                self.block(last);
                self.cr();
                self.push(&format!("<p>{backref}</p>\n"));
            }
        }
    }
}
