//! How deeply a SPARQL text nests and how long its chains are, read off its
//! characters before any parser sees it.
//!
//! Oxigraph's parser, optimizer and evaluator recurse once per nested group
//! (`{ }`), bracketed expression or path (`( )`) and blank-node property
//! list (`[ ]`), and once per link of a chain of binary operators, which
//! nest to the left: `UNION`, `OPTIONAL`, `MINUS`, `FILTER`, `BIND`,
//! `VALUES`, `GRAPH`, `SERVICE`, consecutive groups (joins), path `/` and
//! `|`, `||`, `&&`, `+`, `-`, `*`. [`check`] counts both, outside strings,
//! IRIs, names and comments, so a hostile query is refused with a message
//! before it can exhaust a thread's stack.
//!
//! It also counts the query's size for the optimizer: the chain plus the
//! triple patterns (`.`, `;`, `,`). Oxigraph's optimizer takes time that
//! grows with the cube of that size (a join of 200 triple patterns takes
//! 20 s) and cannot be cancelled, so a query larger than
//! [`NestingLimits::max_optimized`] is evaluated as written
//! ([`Nesting::optimize`] is false), which takes linear time and honours
//! the deadline.

use std::fmt;

/// The limits [`check`] enforces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NestingLimits {
    /// Deepest nesting of `{ }`, `( )` and `[ ]`.
    pub max_depth: usize,
    /// Most chained operators in one text (see the module docs).
    pub max_chain: usize,
    /// Largest size (chain plus triple patterns) evaluated with Oxigraph's
    /// optimizer.
    pub max_optimized: usize,
}

impl Default for NestingLimits {
    fn default() -> Self {
        NestingLimits {
            max_depth: 64,
            max_chain: 10_000,
            max_optimized: 64,
        }
    }
}

/// Why a text was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NestingError {
    /// Brackets nest deeper than allowed; `offset` is the byte where the
    /// limit was passed.
    TooDeep {
        /// The limit.
        limit: usize,
        /// Byte offset of the bracket that passed it.
        offset: usize,
    },
    /// Too many chained operators.
    ChainTooLong {
        /// The limit.
        limit: usize,
        /// Byte offset of the operator that passed it.
        offset: usize,
    },
}

impl fmt::Display for NestingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NestingError::TooDeep { limit, offset } => write!(
                f,
                "the query nests brackets more than {limit} deep (at byte {offset}); kglink refuses deeper nesting"
            ),
            NestingError::ChainTooLong { limit, offset } => write!(
                f,
                "the query chains more than {limit} operators (UNION, OPTIONAL, MINUS, FILTER, BIND, VALUES, GRAPH, SERVICE, groups, '/', '|', '||', '&&', '+', '-', '*'; at byte {offset}); kglink refuses longer chains"
            ),
        }
    }
}

impl std::error::Error for NestingError {}

/// What [`measure`] saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Nesting {
    /// Deepest bracket nesting.
    pub depth: usize,
    /// Chained operators.
    pub chain: usize,
    /// The chain plus triple-pattern separators.
    pub size: usize,
    /// True when the size allows Oxigraph's optimizer (set by [`check`]).
    pub optimize: bool,
}

/// Refuses `text` when it nests or chains beyond `limits`, and says whether
/// it may be optimized.
pub fn check(text: &str, limits: NestingLimits) -> Result<Nesting, NestingError> {
    let mut n = scan(text, Some(limits))?;
    n.optimize = n.size <= limits.max_optimized;
    Ok(n)
}

/// Measures `text` without limits.
pub fn measure(text: &str) -> Nesting {
    scan(text, None).unwrap_or_default()
}

/// Keywords that chain (compared without case).
const KEYWORDS: [&[u8]; 8] = [
    b"UNION",
    b"OPTIONAL",
    b"MINUS",
    b"FILTER",
    b"BIND",
    b"VALUES",
    b"GRAPH",
    b"SERVICE",
];

fn scan(text: &str, limits: Option<NestingLimits>) -> Result<Nesting, NestingError> {
    let b = text.as_bytes();
    let mut i = 0;
    let mut depth = 0usize;
    let mut out = Nesting::default();
    let chained = |out: &mut Nesting, at: usize| {
        out.chain += 1;
        out.size += 1;
        match limits {
            Some(l) if out.chain > l.max_chain => Err(NestingError::ChainTooLong {
                limit: l.max_chain,
                offset: at,
            }),
            _ => Ok(()),
        }
    };
    while i < b.len() {
        let c = b[i];
        match c {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' | b'\'' => {
                i = skip_string(b, i, c);
                continue;
            }
            b'<' => {
                if let Some(end) = iri_end(b, i) {
                    i = end;
                    continue;
                }
            }
            b'?' | b'$' => {
                i = skip_name(b, i + 1);
                continue;
            }
            b'0'..=b'9' => {
                i = skip_number(b, i);
                continue;
            }
            c if is_name_start(c) => {
                let end = skip_name(b, i);
                let word = &b[i..end];
                if KEYWORDS.iter().any(|k| word.eq_ignore_ascii_case(k)) {
                    chained(&mut out, i)?;
                }
                i = end;
                continue;
            }
            b'{' | b'(' | b'[' => {
                if c == b'{' {
                    chained(&mut out, i)?;
                }
                depth += 1;
                out.depth = out.depth.max(depth);
                if let Some(l) = limits {
                    if depth > l.max_depth {
                        return Err(NestingError::TooDeep {
                            limit: l.max_depth,
                            offset: i,
                        });
                    }
                }
            }
            b'}' | b')' | b']' => depth = depth.saturating_sub(1),
            b'|' | b'&' => {
                chained(&mut out, i)?;
                if b.get(i + 1) == Some(&c) {
                    i += 1;
                }
            }
            b'/' | b'+' | b'-' | b'*' => chained(&mut out, i)?,
            b'.' | b';' | b',' => out.size += 1,
            _ => {}
        }
        i += 1;
    }
    Ok(out)
}

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b':' || c >= 0x80
}

/// The index after a name (prefixed name, keyword, variable name, blank
/// node label) that continues at `i`: letters, digits, `_`, `-`, `:`, `.`
/// inside (not last), `%` escapes and non-ASCII.
fn skip_name(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            c if c.is_ascii_alphanumeric() || c >= 0x80 => i += 1,
            b'_' | b'-' | b':' | b'%' => i += 1,
            b'\\' => i += 2,
            b'.' if b
                .get(i + 1)
                .is_some_and(|&n| n.is_ascii_alphanumeric() || n == b'_') =>
            {
                i += 1
            }
            _ => break,
        }
    }
    i.min(b.len())
}

/// The index after a number starting at `i` (digits, a decimal point,
/// an exponent with its sign).
fn skip_number(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b'0'..=b'9' => i += 1,
            b'.' if b.get(i + 1).is_some_and(u8::is_ascii_digit) => i += 1,
            b'e' | b'E' => {
                i += 1;
                if matches!(b.get(i), Some(b'+' | b'-')) {
                    i += 1;
                }
            }
            _ => break,
        }
    }
    i
}

/// The index after the string that starts at `i` with quote `q` (short or
/// long form, backslash escapes); the end of the text when it is not closed.
fn skip_string(b: &[u8], i: usize, q: u8) -> usize {
    let long = b.len() >= i + 3 && b[i + 1] == q && b[i + 2] == q;
    let mut j = if long { i + 3 } else { i + 1 };
    while j < b.len() {
        match b[j] {
            b'\\' => j += 2,
            c if c == q => {
                if !long {
                    return j + 1;
                }
                if b.len() >= j + 3 && b[j + 1] == q && b[j + 2] == q {
                    return j + 3;
                }
                j += 1;
            }
            b'\n' | b'\r' if !long => return j,
            _ => j += 1,
        }
    }
    b.len()
}

/// The index after an IRI reference starting at `i` (`<` … `>` with no
/// character an IRIREF excludes), or `None` when `<` is an operator.
fn iri_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'>' => return Some(j + 1),
            b'<' | b'"' | b'{' | b'}' | b'|' | b'^' | b'`' | b'\\' => return None,
            c if c <= 0x20 => return None,
            _ => j += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(open: &str, close: &str, n: usize, core: &str) -> String {
        format!("{}{core}{}", open.repeat(n), close.repeat(n))
    }

    #[test]
    fn counts_brackets_outside_strings_iris_and_comments() {
        let q =
            "SELECT * WHERE { ?s ?p \"{{{(((\" . ?s <http://x/(> ?o # {{{{\n FILTER((?o < 3)) }";
        assert_eq!(measure(q).depth, 3);
        let q = "SELECT * WHERE { ?s ?p '''a\n{{{''' . FILTER(?x<?y && ?y>?z) }";
        let m = measure(q);
        assert_eq!((m.depth, m.chain), (2, 4), "*, {{, FILTER, &&");
        assert_eq!(measure("ASK { ?s ?p \"\\\"{\" }").depth, 1);
    }

    #[test]
    fn refuses_deep_groups_parentheses_and_paths() {
        let l = NestingLimits::default();
        let groups = format!("SELECT * WHERE {}", nested("{", "}", 1000, "?s ?p ?o"));
        assert!(matches!(
            check(&groups, l),
            Err(NestingError::TooDeep {
                limit: 64,
                offset: 79
            })
        ));
        let parens = format!("SELECT * WHERE {{ FILTER{} }}", nested("(", ")", 500, "1"));
        assert!(check(&parens, l).is_err());
        let path = format!(
            "SELECT * WHERE {{ ?s {} ?o }}",
            nested("(", ")", 300, "<p>")
        );
        assert!(check(&path, l).is_err());
        let ok = format!("SELECT * WHERE {}", nested("{", "}", 64, "?s ?p ?o"));
        assert_eq!(check(&ok, l).map(|n| n.depth), Ok(64));
    }

    #[test]
    fn refuses_long_chains_but_not_names_containing_keywords_or_hyphens() {
        let l = NestingLimits {
            max_chain: 30,
            ..NestingLimits::default()
        };
        let chain = format!(
            "SELECT * WHERE {{ {} }}",
            vec!["{ ?s ?p ?o }"; 20].join(" UNION ")
        );
        assert!(matches!(
            check(&chain, l),
            Err(NestingError::ChainTooLong { limit: 30, .. })
        ));
        for q in [
            format!(
                "SELECT * WHERE {{ ?s ?p ?o {} }}",
                "OPTIONAL { ?s ?p ?o } ".repeat(20)
            ),
            format!(
                "SELECT * WHERE {{ ?s ?p ?o FILTER({}) }}",
                vec!["?o"; 40].join("||")
            ),
            format!(
                "SELECT * WHERE {{ ?s {} ?o }}",
                vec!["<http://p>"; 40].join("/")
            ),
            format!(
                "SELECT * WHERE {{ ?s ?p ?o FILTER({} = 3) }}",
                vec!["1"; 40].join(" + ")
            ),
            format!("SELECT * WHERE {{ {} }}", "{ ?s ?p ?o } ".repeat(40)),
        ] {
            assert!(check(&q, l).is_err(), "{q}");
        }
        let words = "SELECT ?reunion ?unions WHERE { ?s <http://x/union> ?reunion ; ex:has-union ?unions . ?s ex:a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q-r-s-t-u-v-w-x-y-z-a-b-c-d-e-f 1e-5 }";
        let m = measure(words);
        assert_eq!(m.chain, 1, "only the group: {m:?}");
        assert_eq!(m.size, 3, "the group, ';' and '.'");
        let e = check(&chain, l).unwrap_err().to_string();
        assert!(e.contains("more than 30"), "{e}");
    }

    #[test]
    fn large_queries_are_not_optimized() {
        let l = NestingLimits::default();
        let small = "SELECT * WHERE { ?a ?p ?b . ?b ?p ?c OPTIONAL { ?c ?p ?d } }";
        assert!(check(small, l).unwrap().optimize);
        let bgp: String = (0..100)
            .map(|i| format!("?s{i} ?p ?s{} . ", i + 1))
            .collect();
        let big = format!("SELECT * WHERE {{ {bgp} }}");
        let n = check(&big, l).unwrap();
        assert!(!n.optimize && n.chain == 2 && n.size > 64, "{n:?}");
    }
}
