//! cmark's pathological inputs, at reduced size, through every format in one batch: each must
//! succeed (correctness only; bench/pathological.py runs the full sizes and checks the time
//! grows linearly).

/// The patterns of cmark's `test/pathological_tests.py` plus bindery's own, scaled by `k`
/// (1.0 = cmark's sizes).
fn patterns(k: f64) -> Vec<(&'static str, String)> {
    let n = |x: usize| ((x as f64 * k) as usize).max(1);
    let mut backticks = String::new();
    for i in 1..n(2500) {
        backticks.push('e');
        backticks.push_str(&"`".repeat(i));
    }
    let nested_list: String = (0..n(500))
        .map(|i| format!("{}- x\n", "  ".repeat(i)))
        .collect();
    let refs: String = (0..n(25000))
        .map(|i| format!("[a{}]: /u{i}\n", i % 100))
        .collect::<String>()
        + &"[a1] ".repeat(n(1000));
    vec![
        (
            "nested-strong-emph",
            "*a **a ".repeat(n(32500)) + "b" + &" a** a*".repeat(n(32500)),
        ),
        ("emph-underscore-a", "a_ ".repeat(n(32500))),
        ("emph-underscore-b", "_a ".repeat(n(32500))),
        ("close-brackets", "a]".repeat(n(32500))),
        ("open-brackets", "[a".repeat(n(32500))),
        ("mixed-delims", "*a_ ".repeat(n(25000))),
        (
            "openers-closers",
            "*a ".repeat(n(20000)) + &"_a*_ ".repeat(n(20000)),
        ),
        ("link-emph", "a**b".to_string() + &"c* ".repeat(n(25000))),
        ("bracket-underscore", "[ a_".repeat(n(25000))),
        ("link-open-paren", "[ (](".repeat(n(40000))),
        ("image-brackets", "![[]()".repeat(n(160000))),
        (
            "nested-brackets",
            "[".repeat(n(25000)) + "a" + &"]".repeat(n(25000)),
        ),
        ("nested-quotes", "> ".repeat(n(25000)) + "a"),
        ("nested-lists", nested_list),
        ("nul-bytes", "a\0b\0".repeat(n(10000))),
        ("backticks", backticks),
        ("unclosed-link-dest-angle", "[a](<b".repeat(n(30000))),
        ("unclosed-link-dest", "[a](b".repeat(n(30000))),
        (
            "html-comments",
            "</".to_string() + &"<!--".repeat(n(300000)),
        ),
        (
            "list-markers",
            "- ".repeat(n(30000)) + "x" + &"\n".repeat(n(30000)),
        ),
        (
            "list-markers-in-quote",
            "> ".to_string() + &"- ".repeat(n(30000)) + "x" + &"\n".repeat(n(30000)),
        ),
        (
            "quote-emph",
            ">".repeat(n(100000)) + &"a*".repeat(n(100000)),
        ),
        ("reference-collisions", refs),
        ("stars", "*".repeat(n(20000)) + "a" + &"*".repeat(n(20000))),
        // bindery's own: footnote references cut out of bare URLs (crates/markdown autolinks.rs).
        (
            "url-footnote-openers",
            "https://a.example/".to_string() + &"[^".repeat(n(100000)) + "x[^1]\n\n[^1]: one\n",
        ),
        (
            "url-footnotes",
            "https://a.example/[^1] ".repeat(n(30000)) + "\n\n[^1]: one\n",
        ),
    ]
}

#[test]
fn pathological_inputs_build_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir(&input).unwrap();
    let all = patterns(0.1);
    for (name, text) in &all {
        std::fs::write(input.join(format!("{name}.md")), text).unwrap();
    }
    let out = dir.path().join("out");
    let output = crate::support::bindery()
        .arg("build")
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .args(["-q", "--no-cache", "--to", "html,txt,json"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for (name, _) in &all {
        for ext in ["html", "txt", "json"] {
            assert!(out.join(format!("{name}.{ext}")).exists(), "{name}.{ext}");
        }
    }
}

/// `">" * n + "a*" * n` once cost comrak's alert scan n²/2 bytes (7.7 s at cmark's size). The
/// reader now parses it with alerts off; the words must all survive, in every text format.
#[test]
fn quote_emphasis_keeps_every_word() {
    let n = 10_000;
    let source = ">".repeat(n) + &"a*".repeat(n);
    for (format, args) in [("txt", &[][..]), ("html", &["--fragment"][..])] {
        let output = crate::support::bindery()
            .args(["convert", "-", "--to", format])
            .args(args)
            .write_stdin(source.clone())
            .output()
            .unwrap();
        assert!(output.status.success(), "{format}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("flattened"), "{format}: {stderr}");
        assert!(
            !stderr.contains("alerts"),
            "no alert in the input: {stderr}"
        );
        let mut text = String::from_utf8(output.stdout).unwrap();
        if format == "html" {
            text = strip_tags(&text);
        }
        assert_eq!(text.matches('a').count(), n, "{format}");
    }
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}
