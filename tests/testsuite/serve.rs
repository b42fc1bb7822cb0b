//! `bindery serve`: the real binary on a loopback port, asked with a raw HTTP/1.1 client (a
//! library client would clean up the very paths the traversal tests send).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use crate::support::{bindery, process};

/// A server on a free loopback port, stopped when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    log: Arc<Mutex<String>>,
}

impl Server {
    fn start(root: &Path, extra: &[&str]) -> Server {
        let mut child = process()
            .arg("serve")
            .arg(root)
            .args(["--listen", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("bindery serve starts");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (bound, address) = mpsc::channel();
        let kept = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(at) = line.find("http://") {
                    let _ = bound.send(line[at + 7..].trim().to_string());
                }
                let mut log = kept.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let addr = address
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("the server never said where it listens: {log:?}"))
            .parse()
            .unwrap();
        Server { child, addr, log }
    }

    fn get(&self, path: &str) -> Reply {
        self.send(&format!(
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        ))
    }

    fn get_with(&self, path: &str, header: &str) -> Reply {
        self.send(&format!(
            "GET {path} HTTP/1.1\r\nHost: localhost\r\n{header}\r\nConnection: close\r\n\r\n"
        ))
    }

    fn post(&self, path: &str, headers: &str, body: &[u8]) -> Reply {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: localhost\r\n{headers}Content-Length: {}\r\n\
             Connection: close\r\n\r\n",
            body.len()
        );
        let mut request = head.into_bytes();
        request.extend_from_slice(body);
        self.send_bytes(&request)
    }

    fn send(&self, request: &str) -> Reply {
        self.send_bytes(request.as_bytes())
    }

    fn send_bytes(&self, request: &[u8]) -> Reply {
        let mut stream = TcpStream::connect(self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(120)))
            .unwrap();
        // A server that answers before reading the whole body (413) may close early.
        let _ = stream.write_all(request);
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        Reply::parse(&bytes)
    }

    /// A `/metrics` sample's value.
    fn metric(&self, name: &str) -> f64 {
        let metrics = self.get("/metrics").text();
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in\n{metrics}"))
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn parse(bytes: &[u8]) -> Reply {
        let end = bytes
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(bytes)));
        let head = String::from_utf8_lossy(&bytes[..end]);
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut body = bytes[end + 4..].to_vec();
        if let Some(len) = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse::<usize>().ok())
        {
            body.truncate(len);
        }
        Reply {
            status,
            headers,
            body,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

const ARTICLE: &str = "---\ntitle: A served article\nauthor: Ada\n---\n\n# Binding\n\n\
Some *emphasis*, a [link](https://example.org) and `code`.[^1]\n\n\
| a | b |\n|---|---|\n| 1 | 2 |\n\n```rust\nfn main() {}\n```\n\n\
[^1]: A note.\n";

/// ROOT with an article, a file beside ROOT that must never be served, and a symlink to it.
fn site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    std::fs::create_dir_all(root.join("a")).unwrap();
    std::fs::write(root.join("post.md"), ARTICLE).unwrap();
    std::fs::write(root.join("a/b.md"), "# B\n").unwrap();
    std::fs::write(dir.path().join("secret.md"), "# Secret\n\nThe secret.\n").unwrap();
    std::fs::write(dir.path().join("Cargo.toml.md"), "# Outside\n").unwrap();
    std::os::unix::fs::symlink(dir.path().join("secret.md"), root.join("link.md")).unwrap();
    std::os::unix::fs::symlink(dir.path(), root.join("up")).unwrap();
    (dir, root)
}

/// Many pages of text: a PDF that takes seconds in a debug build.
fn long_document(paragraphs: usize) -> String {
    let mut text = String::from("# Long\n\n");
    for i in 0..paragraphs {
        text.push_str(&format!(
            "Paragraph {i} with enough words in it to fill a line and wrap across the page.\n\n"
        ));
    }
    text
}

#[test]
fn serve_renders_every_format_as_convert_does_with_etags_and_the_build_cache() {
    let (dir, root) = site();
    let cache = dir.path().join("cache");
    let cache_arg = cache.to_str().unwrap();
    // A build fills the cache first: the server must copy its text output, not render it.
    bindery()
        .args(["build", "--to", "txt", "--cache-dir", cache_arg, "-o"])
        .arg(dir.path().join("dist"))
        .arg(root.join("post.md"))
        .assert()
        .success();
    let server = Server::start(&root, &["--cache-dir", cache_arg]);
    let txt = server.get("/post.txt");
    assert_eq!(txt.status, 200, "{}", txt.text());
    assert_eq!(
        txt.header("x-cache"),
        Some("hit"),
        "the build's cache entry"
    );

    for (format, media_type, extra) in [
        (
            "html",
            "text/html; charset=utf-8",
            Some("--embed-resources"),
        ),
        ("txt", "text/plain; charset=utf-8", None),
        ("epub", "application/epub+zip", None),
        ("pdf", "application/pdf", None),
    ] {
        let reply = server.get(&format!("/post.{format}"));
        assert_eq!(reply.status, 200, "{format}: {}", reply.text());
        let expected = bindery()
            .arg("convert")
            .arg(root.join("post.md"))
            .args(["--to", format])
            .args(extra)
            .output()
            .unwrap();
        assert!(expected.status.success());
        assert!(
            reply.body == expected.stdout,
            "{format}: the served bytes differ from `bindery convert`'s"
        );
        assert_eq!(reply.header("content-type"), Some(media_type));
        assert_eq!(
            reply.header("content-disposition"),
            Some(
                format!("attachment; filename=\"post.{format}\"; filename*=UTF-8''post%2E{format}")
                    .as_str()
            )
        );
        assert_eq!(reply.header("cache-control"), Some("no-cache"));
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(
            reply.header("content-security-policy").is_some(),
            format == "html"
        );
        let etag = reply.header("etag").expect("an ETag").to_string();
        assert!(etag.len() == 66 && etag.starts_with('"'), "{etag}");
        let again = server.get_with(
            &format!("/post.{format}"),
            &format!("If-None-Match: {etag}"),
        );
        assert_eq!(again.status, 304, "{format}");
        assert!(again.body.is_empty());
        assert_eq!(again.header("etag"), Some(etag.as_str()));
        let stale = server.get_with(&format!("/post.{format}"), "If-None-Match: \"0000\"");
        assert_eq!(stale.status, 200);
        assert_eq!(stale.header("x-cache"), Some("hit"));
    }
    let inline = server.get("/post.pdf?inline");
    assert!(
        inline
            .header("content-disposition")
            .is_some_and(|v| v.starts_with("inline;")),
        "{:?}",
        inline.headers
    );
    // A changed file is a new key: the old ETag no longer matches.
    let before = server.get("/post.txt");
    std::fs::write(root.join("post.md"), ARTICLE.replace("Some", "Other")).unwrap();
    let after = server.get_with(
        "/post.txt",
        &format!("If-None-Match: {}", before.header("etag").unwrap()),
    );
    assert_eq!(after.status, 200);
    assert!(after.text().contains("Other"));
    assert_eq!(server.get("/a/b.txt").status, 200);
}

#[test]
fn serve_never_serves_a_file_outside_root() {
    let (dir, root) = site();
    // A FIFO under ROOT: opening it would block a render thread forever.
    let fifo = std::process::Command::new("mkfifo")
        .arg(root.join("fifo.md"))
        .status()
        .unwrap();
    assert!(fifo.success());
    let server = Server::start(&root, &["--jobs", "1", "--queue", "0"]);
    let long = format!("/{}.txt", "a/".repeat(600));
    for path in [
        "/../Cargo.toml.txt",
        "/%2e%2e/Cargo.toml.txt",
        "/%2E%2E/secret.txt",
        "/a/../../secret.txt",
        "/a%2fb.txt",
        "/a%2Fb.txt",
        "/a%5cb.txt",
        "//etc/passwd.txt",
        "/%2fetc/passwd.txt",
        "/link.txt",
        "/up/secret.txt",
        "/fifo.txt",
        "/post%00.txt",
        "/post%00x.txt",
        "/post.md",
        "/a.txt",
        "/missing.txt",
        long.as_str(),
    ] {
        let reply = server.get(path);
        assert_eq!(reply.status, 404, "{path}: {}", reply.text());
        assert!(!reply.text().contains("ecret"), "{path}");
        assert!(
            !reply.text().contains(dir.path().to_str().unwrap()),
            "{path}"
        );
    }
    // The FIFO held no thread: with one thread and no queue the server still renders.
    assert_eq!(server.get("/post.txt").status, 200);
    assert_eq!(server.get("/healthz").status, 200);
}

#[test]
fn serve_refuses_bodies_over_the_limit_and_foreign_requests() {
    let (_dir, root) = site();
    let token = root.parent().unwrap().join("token");
    std::fs::write(&token, "s3cret\n").unwrap();
    let server = Server::start(
        &root,
        &[
            "--max-body",
            "1000",
            "--token-file",
            token.to_str().unwrap(),
        ],
    );
    let auth = "Authorization: Bearer s3cret\r\n";
    let markdown = format!("{auth}Content-Type: text/markdown\r\n");
    let over = server.post("/convert?to=txt", &markdown, &[b'a'; 5000]);
    assert_eq!(over.status, 413, "{}", over.text());
    assert!(over.text().contains("--max-body"), "{}", over.text());
    // Sent in chunks with no length, it is cut off at the limit all the same.
    let mut chunked = format!(
        "POST /convert?to=txt HTTP/1.1\r\nHost: localhost\r\n{markdown}\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    for _ in 0..10 {
        chunked.extend_from_slice(b"200\r\n");
        chunked.extend_from_slice(&[b'b'; 0x200]);
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    assert_eq!(server.send_bytes(&chunked).status, 413);
    let ok = server.post("/convert?to=txt", &markdown, b"# Small\n");
    assert_eq!(ok.status, 200, "{}", ok.text());
    // Without the token, or as a plain form any web page can send, nothing is rendered.
    let no_token = server.post("/convert?to=txt", "Content-Type: text/markdown\r\n", b"# x");
    assert_eq!(no_token.status, 401);
    let form = server.post(
        "/convert?to=txt",
        &format!("{auth}Content-Type: text/plain\r\n"),
        b"# x",
    );
    assert_eq!(form.status, 415);
    // A page from another site that resolved its name to 127.0.0.1 (DNS rebinding).
    let rebound =
        server.send("GET /post.txt HTTP/1.1\r\nHost: evil.example:80\r\nConnection: close\r\n\r\n");
    assert_eq!(rebound.status, 421);
    let huge = server.send(&format!(
        "GET /post.txt HTTP/1.1\r\nHost: localhost\r\nX-Big: {}\r\nConnection: close\r\n\r\n",
        "a".repeat(300_000)
    ));
    assert_eq!(huge.status, 431);
    assert_eq!(server.get("/healthz").status, 200);
}

#[test]
fn serve_converts_posted_json_and_reads_no_server_file() {
    let (dir, root) = site();
    let server = Server::start(&root, &[]);
    let secret = dir.path().join("secret.md");
    let text = format!(
        "# Posted\n\nHello *there*.\n\n![a secret]({})\n",
        secret.display()
    );
    let request = serde_json::json!({
        "text": text, "from": "markdown", "to": "txt", "standalone": true,
        "metadata": {"title": "Given"}
    });
    let reply = server.post(
        "/convert",
        "Content-Type: application/json\r\nAccept: application/json\r\n",
        request.to_string().as_bytes(),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let json: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(json["base64"], false);
    let expected = bindery()
        .args(["convert", "-", "--to", "txt", "-M", "title=Given", "--root"])
        .arg(dir.path().join("root"))
        .write_stdin(text.clone())
        .output()
        .unwrap();
    assert_eq!(
        json["output"].as_str().unwrap(),
        String::from_utf8(expected.stdout).unwrap()
    );
    assert!(!json["output"].as_str().unwrap().contains("The secret"));
    let messages = json["messages"].to_string();
    assert!(messages.contains("reads no files"), "{messages}");
    // PDF comes back in base64 in JSON, as raw bytes otherwise.
    let pdf_request = serde_json::json!({"text": "# Hi\n", "to": "pdf"});
    let pdf = server.post(
        "/convert",
        "Content-Type: application/json\r\nAccept: application/json\r\n",
        pdf_request.to_string().as_bytes(),
    );
    let json: serde_json::Value = serde_json::from_slice(&pdf.body).unwrap();
    assert_eq!(json["base64"], true);
    assert!(json["output"].as_str().unwrap().starts_with("JVBERi0"));
    let raw = server.post(
        "/convert?to=pdf",
        "Content-Type: text/markdown\r\n",
        b"# Hi\n",
    );
    assert_eq!(raw.status, 200);
    assert!(raw.body.starts_with(b"%PDF-"));
    assert_eq!(raw.header("content-type"), Some("application/pdf"));
    // pandoc-server's default: an HTML fragment; raw HTML is sanitized.
    let fragment = server.post(
        "/convert",
        "Content-Type: application/json\r\n",
        br#"{"text": "Hi <script>alert(1)</script><b>bold</b>"}"#,
    );
    assert_eq!(fragment.status, 200, "{}", fragment.text());
    let html = fragment.text();
    assert!(!html.contains("<html"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert!(html.contains("bold"), "{html}");
    let bad = server.post("/convert", "Content-Type: application/json\r\n", b"{");
    assert_eq!(bad.status, 400);
}

#[test]
fn serve_answers_503_when_the_queue_is_full_and_422_over_budget() {
    let (dir, root) = site();
    std::fs::write(root.join("long.md"), long_document(6000)).unwrap();
    let server = Arc::new(Server::start(
        &root,
        &["--jobs", "1", "--queue", "0", "--no-cache"],
    ));
    let slow = std::thread::spawn({
        let server = Arc::clone(&server);
        move || server.get("/long.pdf")
    });
    let started = Instant::now();
    while server.metric("bindery_renders_in_flight") < 1.0 {
        assert!(started.elapsed() < Duration::from_secs(60), "never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    let busy = server.get("/post.txt");
    assert_eq!(busy.status, 503, "{}", busy.text());
    assert_eq!(busy.header("retry-after"), Some("1"));
    assert_eq!(server.get("/healthz").status, 200, "health is not queued");
    let slow = slow.join().unwrap();
    assert_eq!(slow.status, 200, "{}", slow.text());
    assert!(slow.body.starts_with(b"%PDF-"));
    // A hostile document over the PDF budget is refused with the limit named, before layout.
    let mut table = String::from("| a | b |\n|---|---|\n");
    for _ in 0..30_000 {
        table.push_str("| x | y |\n");
    }
    let over = server.post(
        "/convert?to=pdf",
        "Content-Type: text/markdown\r\n",
        table.as_bytes(),
    );
    assert_eq!(over.status, 422, "{}", over.text());
    assert!(over.text().contains("table-cells"), "{}", over.text());
    assert_eq!(server.get("/healthz").status, 200);
    assert_eq!(server.get("/post.txt").status, 200);
    let log = server.log();
    assert!(log.contains("GET /post.txt 503"), "{log}");
    drop(dir);
}

#[test]
fn serve_answers_504_past_the_deadline_and_keeps_serving() {
    let (_dir, root) = site();
    // Far longer than the deadline on any machine; its worker is stopped at the deadline, so
    // the length costs nothing past it.
    std::fs::write(root.join("long.md"), long_document(20_000)).unwrap();
    let server = Server::start(&root, &["--timeout", "1", "--no-cache"]);
    let started = Instant::now();
    let reply = server.get("/long.pdf");
    assert_eq!(reply.status, 504, "{}", reply.text());
    assert!(reply.text().contains("--timeout"), "{}", reply.text());
    assert!(started.elapsed() < Duration::from_secs(10));
    // (Not a PDF: starting a new render worker alone can take a second in a debug build.)
    assert_eq!(server.get("/post.txt").status, 200);
    assert_eq!(server.get("/post.html").status, 200);
    assert_eq!(server.get("/healthz").status, 200);
}

#[test]
fn serve_finishes_requests_in_flight_on_sigterm() {
    let (_dir, root) = site();
    std::fs::write(root.join("long.md"), long_document(3000)).unwrap();
    let server = Arc::new(Server::start(
        &root,
        &["--no-cache", "--log-format", "json"],
    ));
    let slow = std::thread::spawn({
        let server = Arc::clone(&server);
        move || server.get("/long.pdf")
    });
    let started = Instant::now();
    while server.metric("bindery_renders_in_flight") < 1.0 {
        assert!(started.elapsed() < Duration::from_secs(60), "never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    let pid = server.child.id().to_string();
    let term = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(term.success());
    let reply = slow.join().unwrap();
    assert_eq!(reply.status, 200, "cut off: {}", reply.text());
    assert!(reply.body.starts_with(b"%PDF-"));
    let mut server = Arc::into_inner(server).expect("the request thread is done");
    let status = server.child.wait().unwrap();
    assert!(status.success(), "{status:?}\n{}", server.log());
    let log = server.log();
    assert!(
        log.lines()
            .any(|l| l.starts_with('{') && l.contains("\"path\":\"/long.pdf\"")),
        "{log}"
    );
}

#[test]
fn serve_survives_a_render_worker_that_dies_and_a_body_that_trickles() {
    let (_dir, root) = site();
    // Too little memory for a PDF worker to typeset anything: it aborts mid-render.
    let server = Server::start(
        &root,
        &[
            "--no-cache",
            "--worker-memory",
            "100000000",
            "--timeout",
            "2",
        ],
    );
    let died = server.get("/post.pdf");
    assert_eq!(died.status, 500, "{}", died.text());
    assert!(died.text().contains("render worker"), "{}", died.text());
    assert_eq!(server.get("/post.txt").status, 200);
    assert_eq!(server.get("/healthz").status, 200);
    // A body sent a byte at a time is cut off at the deadline; it held no render thread.
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .write_all(
            b"POST /convert?to=txt HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/markdown\r\n\
              Content-Length: 1000\r\nConnection: close\r\n\r\n#",
        )
        .unwrap();
    let trickle = std::thread::spawn({
        let mut stream = stream.try_clone().unwrap();
        move || {
            for _ in 0..40 {
                if stream.write_all(b"x").is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    });
    let started = Instant::now();
    let mut reply = Vec::new();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let _ = stream.read_to_end(&mut reply);
    let reply = Reply::parse(&reply);
    assert_eq!(reply.status, 408, "{}", reply.text());
    assert!(started.elapsed() < Duration::from_secs(4));
    trickle.join().unwrap();
    assert_eq!(server.get("/post.txt").status, 200);
}

/// Bodies being received are bounded by their bytes, (jobs + queue) x --max-body in all: a
/// body that would pass the budget is refused at once (503) while GETs go on, and clients
/// that trickle a few bytes each hold only those bytes. (Counted by the body, a dozen slow
/// uploads took every place and turned every other upload away.)
#[test]
fn serve_bounds_the_bodies_it_receives_at_once() {
    let (_dir, root) = site();
    let server = Server::start(
        &root,
        &[
            "--jobs",
            "1",
            "--queue",
            "0",
            "--max-body",
            "1000",
            "--timeout",
            "20",
        ],
    );
    let start_upload = |length: usize, sent: &[u8]| {
        let mut stream = TcpStream::connect(server.addr).unwrap();
        stream
            .write_all(
                format!(
                    "POST /convert?to=txt HTTP/1.1\r\nHost: localhost\r\n\
                     Content-Type: text/markdown\r\nContent-Length: {length}\r\n\
                     Connection: close\r\n\r\n"
                )
                .as_bytes(),
            )
            .unwrap();
        stream.write_all(sent).unwrap();
        stream
    };
    // A dozen slow uploads, six bytes each so far: another upload still gets through.
    let slow: Vec<TcpStream> = (0..12).map(|_| start_upload(100, b"# Slow")).collect();
    std::thread::sleep(Duration::from_millis(500));
    let through = server.post("/convert?to=txt", "Content-Type: text/markdown\r\n", b"# x");
    assert_eq!(through.status, 200, "{}", through.text());
    drop(slow);

    // 950 bytes of one body received: 100 more would pass the budget of 1,000.
    let mut big = start_upload(1000, &[b'x'; 950]);
    let started = Instant::now();
    loop {
        let second = server.post(
            "/convert?to=txt",
            "Content-Type: text/markdown\r\n",
            &[b'y'; 100],
        );
        if second.status == 503 {
            break;
        }
        // The first body may not have been taken up yet.
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{}",
            second.text()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(server.get("/post.txt").status, 200);
    big.write_all(&[b'x'; 50]).unwrap();
    let mut reply = Vec::new();
    big.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let _ = big.read_to_end(&mut reply);
    assert_eq!(Reply::parse(&reply).status, 200);
    let after = server.post("/convert?to=txt", "Content-Type: text/markdown\r\n", b"# x");
    assert_eq!(after.status, 200, "{}", after.text());
}

/// A multipart body, as `curl -F` writes it: each part `(name, file name, bytes)`.
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "bindery-test-boundary-7MA4YWxk";
    let mut body = Vec::new();
    for (name, file_name, data) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file_name {
            Some(file) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(data);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (
        format!("Content-Type: multipart/form-data; boundary={boundary}\r\n"),
        body,
    )
}

/// `POST /convert` with `multipart/form-data`: the document in `text`, its images as file
/// parts named by `![](red.png)`; a part that is not an image, or a name no part has (a
/// path out of the request included), is the image's alt text with a warning.
#[test]
fn serve_converts_a_multipart_document_with_its_images() {
    let (_dir, root) = site();
    let server = Server::start(&root, &[]);
    let red =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/images/red.png"))
            .unwrap();
    let text = b"# Pictured\n\n![a red square](red.png)\n\n![not an image](fake.png)\n\n\
                 ![outside](../secret.png)\n";
    let parts: &[(&str, Option<&str>, &[u8])] = &[
        ("text", None, text),
        ("to", None, b"html"),
        ("image", Some("red.png"), &red),
        ("image", Some("fake.png"), b"<script>alert(1)</script>"),
    ];
    let (headers, body) = multipart(parts);
    let reply = server.post(
        "/convert",
        &format!("{headers}Accept: application/json\r\n"),
        &body,
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let json: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
    let html = json["output"].as_str().unwrap();
    assert!(html.contains("src=\"data:image/png;base64,"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert!(
        html.contains("not an image") && html.contains("outside"),
        "{html}"
    );
    let messages = json["messages"].to_string();
    assert!(
        messages.contains("image `fake.png` not included"),
        "{messages}"
    );
    assert!(
        messages.contains("no part named `../secret.png`"),
        "{messages}"
    );

    // The same document as a PDF, `to` in the query: the image is in it.
    let (headers, body) = multipart(&[
        ("text", None, b"![a red square](./red.png)\n"),
        ("image", Some("red.png"), &red),
    ]);
    let pdf = server.post("/convert?to=pdf", &headers, &body);
    assert_eq!(pdf.status, 200, "{}", pdf.text());
    assert!(pdf.body.starts_with(b"%PDF-"));
    assert!(
        String::from_utf8_lossy(&pdf.body).contains("/Subtype/Image"),
        "the PDF holds the uploaded image"
    );

    // Malformed requests are refused, with what is wrong.
    let (headers, body) = multipart(&[("image", Some("red.png"), &red)]);
    let none = server.post("/convert", &headers, &body);
    assert_eq!(none.status, 400);
    assert!(
        none.text().contains("no part named `text`"),
        "{}",
        none.text()
    );
    let (headers, body) = multipart(&[("text", None, b"x"), ("evil", None, b"1")]);
    let unknown = server.post("/convert", &headers, &body);
    assert_eq!(unknown.status, 400);
    assert!(
        unknown.text().contains("unknown field `evil`"),
        "{}",
        unknown.text()
    );
    // An error that echoes the client's words is never sniffed into a page.
    assert_eq!(unknown.header("x-content-type-options"), Some("nosniff"));
    // A form on another site's page: its browser names the page in Origin.
    let (headers, body) = multipart(&[("text", None, b"# Hi\n")]);
    let foreign = server.post(
        "/convert",
        &format!("{headers}Origin: https://evil.example\r\n"),
        &body,
    );
    assert_eq!(foreign.status, 403, "{}", foreign.text());
    let own = server.post(
        "/convert",
        &format!("{headers}Origin: http://localhost\r\n"),
        &body,
    );
    assert_eq!(own.status, 200, "{}", own.text());
    let no_boundary = server.post("/convert", "Content-Type: multipart/form-data\r\n", b"x");
    assert_eq!(no_boundary.status, 400);
    let cut = server.post("/convert", &headers, &body[..body.len() / 2]);
    assert_eq!(cut.status, 400, "{}", cut.text());
}

/// A client that asks for a large output and stops reading it is cut off after
/// `--write-timeout`, so it cannot hold its connection (and the output) for ever; the server
/// goes on serving.
#[test]
fn serve_cuts_off_a_client_that_stops_reading() {
    let (_dir, root) = site();
    // About 12 MB of text: more than the loopback socket buffers hold.
    std::fs::write(root.join("big.md"), long_document(150_000)).unwrap();
    let server = Server::start(&root, &["--write-timeout", "1", "--timeout", "120"]);
    let full = server.get("/big.txt");
    assert_eq!(full.status, 200, "{}", full.text());
    let length = full.body.len();
    assert!(length > 8 << 20, "{length} bytes");

    // A small receive buffer, set before connecting, turns off the kernel's autotuning, which
    // could otherwise buffer the whole response without the client reading any of it.
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(64 * 1024).unwrap();
    socket.connect(&server.addr.into()).unwrap();
    let mut stream: TcpStream = socket.into();
    stream
        .write_all(b"GET /big.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .unwrap();
    // The response has begun (preparing it may take seconds on a loaded machine) ...
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    let mut received = vec![0u8; 16];
    stream.read_exact(&mut received).unwrap();
    // ... and now the client stops reading: the server's writes stall, and it gives up after
    // a second.
    std::thread::sleep(Duration::from_secs(5));
    // The server closed the connection (end of stream), having sent only part of it.
    stream
        .read_to_end(&mut received)
        .expect("the server closes the connection it gave up on");
    assert!(
        received.len() < length,
        "the whole response ({} of {length} bytes) arrived: the server never gave up",
        received.len()
    );
    assert_eq!(server.get("/healthz").status, 200);
}
