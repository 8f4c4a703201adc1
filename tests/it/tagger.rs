//! The statistical tagger: the bundled model loads and tags, models round-trip
//! and bad ones are refused, training is deterministic, CoNLL errors are
//! located, and tagging never panics.

use crate::{kglink, shared, stderr};
use kglink::kb::Kb;
use kglink::recognize::tagger::clusters::Clusters;
use kglink::recognize::tagger::conll;
use kglink::recognize::tagger::train::{self, TrainOptions};
use kglink::recognize::tagger::{NerLabel, TaggedSpan, Tagger};
use kglink::text;
use std::path::Path;
use std::sync::Arc;

fn tag<'a>(tagger: &Tagger, text: &'a str) -> Vec<(&'a str, NerLabel)> {
    let kb = Kb::bundled().unwrap();
    tagger
        .tag(kb, text, &text::tokenize(text))
        .iter()
        .map(|s| (&text[s.start..s.end], s.label))
        .collect()
}

#[test]
fn bundled_model_tags_a_known_sentence() {
    let tagger = Tagger::bundled().unwrap();
    assert_eq!(
        tag(tagger, "Angela Merkel met officials of Siemens in Munich."),
        [
            ("Angela Merkel", NerLabel::Per),
            ("Siemens", NerLabel::Org),
            ("Munich", NerLabel::Loc)
        ]
    );
    let found = tag(
        tagger,
        "The chief executive of Volkswagen, Herbert Diess, flew to Beijing on Monday.",
    );
    assert!(found.contains(&("Volkswagen", NerLabel::Org)), "{found:?}");
    assert!(
        found.contains(&("Herbert Diess", NerLabel::Per)),
        "{found:?}"
    );
    assert!(found.contains(&("Beijing", NerLabel::Loc)), "{found:?}");
}

#[test]
fn spans_lie_on_tokens_with_scores_in_range() {
    let kb = Kb::bundled().unwrap();
    let text = "Kim Jong-un's envoy met U.S. officials in Hanoi.\nTRUMP, KIM MEET IN VIETNAM";
    let tokens = text::tokenize(text);
    let spans = Tagger::bundled().unwrap().tag(kb, text, &tokens);
    assert!(!spans.is_empty());
    let mut last = 0;
    for TaggedSpan {
        start, end, score, ..
    } in spans
    {
        assert!(start >= last && start < end, "sorted, not overlapping");
        assert!(tokens.iter().any(|t| t.start == start));
        assert!(tokens.iter().any(|t| t.end == end));
        assert!((0.0..=1.0).contains(&score), "{score}");
        last = end;
    }
}

#[test]
fn models_round_trip_and_bad_ones_are_clear_errors() {
    let tagger = Tagger::bundled().unwrap();
    let bytes = tagger.to_bytes();
    let back = Tagger::from_bytes(&bytes).unwrap();
    assert_eq!(back.to_bytes(), bytes);
    let text = "Angela Merkel met officials of Siemens in Munich.";
    assert_eq!(tag(&back, text), tag(tagger, text));

    let err = |b: &[u8]| Tagger::from_bytes(b).unwrap_err().to_string();
    let truncated = err(&bytes[..bytes.len() / 2]);
    assert!(
        truncated.starts_with("tagger model: truncated"),
        "{truncated}"
    );
    assert!(err(&bytes[..10]).contains("truncated"));
    let magic = err(b"{\"not\": \"a model\"}");
    assert_eq!(
        magic,
        "tagger model: not a kglink tagger model (bad magic bytes)"
    );
    let mut corrupt = bytes.clone();
    let mid = corrupt.len() - 20;
    corrupt[mid] ^= 0x40;
    assert!(Tagger::from_bytes(&corrupt).is_err());
}

/// A small CoNLL file of invented sentences.
fn tiny_conll() -> String {
    let people = [("Anna", "Berg"), ("Tomas", "Lind"), ("Maria", "Costa")];
    let orgs = ["Vexa", "Norlam", "Quintor"];
    let places = ["Oslo", "Porto", "Lyon"];
    let mut out = String::new();
    for (d, (first, last)) in people.iter().enumerate() {
        out.push_str("-DOCSTART- -X- -X- O\n\n");
        for (k, org) in orgs.iter().enumerate() {
            let place = places[(d + k) % places.len()];
            for line in [
                format!("{first} NNP B-NP I-PER"),
                format!("{last} NNP I-NP I-PER"),
                "joined VBD B-VP O".into(),
                format!("{org} NNP B-NP I-ORG"),
                "in IN B-PP O".into(),
                format!("{place} NNP B-NP I-LOC"),
                ". . O O".into(),
                String::new(),
                "The DT B-NP O".into(),
                "company NN I-NP O".into(),
                "said VBD B-VP O".into(),
                "so RB B-ADVP O".into(),
                ". . O O".into(),
                String::new(),
            ] {
                out.push_str(&line);
                out.push('\n');
            }
        }
    }
    out
}

#[test]
fn training_is_deterministic_for_a_seed() {
    let kb = Kb::bundled().unwrap();
    let docs = conll::parse(&tiny_conll(), Path::new("tiny.conll")).unwrap();
    assert_eq!(docs.len(), 3);
    let opts = TrainOptions {
        epochs: 4,
        seed: 42,
        ..TrainOptions::default()
    };
    let run = || train::train(kb, &docs, &docs, &opts, &mut |_| {});
    let (a, b) = (run(), run());
    assert_eq!(a.tagger.to_bytes(), b.tagger.to_bytes());
    assert_eq!(a.epochs.len(), 4);
    assert!((1..=4).contains(&a.best));
    // it learned its training data
    let best = &a.epochs[a.best - 1];
    assert!(best.dev.overall.f1() > 0.9, "{best:?}");
    assert_eq!(
        tag(&a.tagger, "Tomas Lind joined Vexa in Porto ."),
        [
            ("Tomas Lind", NerLabel::Per),
            ("Vexa", NerLabel::Org),
            ("Porto", NerLabel::Loc)
        ]
    );
}

/// Word clusters over the words of [`tiny_conll`] (paths invented).
fn tiny_clusters(variant: &str) -> Arc<Clusters> {
    let mut text = format!("# tiny clusters {variant}\n");
    for (i, w) in [
        "Anna", "Berg", "Tomas", "Lind", "Maria", "Costa", "Vexa", "Norlam", "Quintor", "Oslo",
        "Porto", "Lyon", "joined", "in",
    ]
    .iter()
    .enumerate()
    {
        let group = match i {
            0..=5 => "00",
            6..=8 => "01",
            9..=11 => "10",
            _ => "11",
        };
        text.push_str(&format!("{group}{:02b}\t{w}\t{}\n", i % 4, 10 + i));
    }
    Arc::new(Clusters::parse(text.as_bytes()).unwrap())
}

#[test]
fn training_with_clusters_is_deterministic_and_other_clusters_are_refused() {
    let kb = Kb::bundled().unwrap();
    let docs = conll::parse(&tiny_conll(), Path::new("tiny.conll")).unwrap();
    let clusters = tiny_clusters("a");
    let opts = TrainOptions {
        epochs: 3,
        seed: 5,
        clusters: Some(clusters.clone()),
        ..TrainOptions::default()
    };
    let run = || train::train(kb, &docs, &docs, &opts, &mut |_| {});
    let (a, b) = (run(), run());
    let bytes = a.tagger.to_bytes();
    assert_eq!(bytes, b.tagger.to_bytes());
    assert_eq!(a.tagger.model().clusters_checksum(), clusters.checksum());
    // the mean of one run is that run
    let one = train::average(kb, std::slice::from_ref(&a.tagger), &docs, &opts);
    let text = "Maria Costa joined Norlam in Lyon .";
    assert_eq!(tag(&one, text), tag(&a.tagger, text));
    // the checksum travels in the header: the right clusters load ...
    let model = || kglink::recognize::tagger::model::Model::from_bytes(&bytes).unwrap();
    let back = Tagger::with_clusters(model(), Some(clusters.clone())).unwrap();
    assert_eq!(back.to_bytes(), bytes);
    let text = "Tomas Lind joined Vexa in Porto .";
    assert_eq!(tag(&back, text), tag(&a.tagger, text));
    // ... other clusters, or none, are refused with a clear error
    let other = Tagger::with_clusters(model(), Some(tiny_clusters("b"))).unwrap_err();
    let msg = other.to_string();
    assert!(
        msg.contains("trained with word clusters of checksum")
            && msg.contains(&format!("{:016x}", clusters.checksum())),
        "{msg}"
    );
    let none = Tagger::with_clusters(model(), None)
        .unwrap_err()
        .to_string();
    assert!(none.contains("none were given"), "{none}");
    // from_bytes offers the bundled clusters, which are not these
    let bundled = Tagger::from_bytes(&bytes).unwrap_err().to_string();
    assert!(bundled.contains("checksum"), "{bundled}");
    // a model trained without clusters ignores the clusters it is given
    let plain = train::train(kb, &docs, &docs, &TrainOptions::default(), &mut |_| {});
    let plain_bytes = plain.tagger.to_bytes();
    let m = kglink::recognize::tagger::model::Model::from_bytes(&plain_bytes).unwrap();
    assert_eq!(m.clusters_checksum(), 0);
    assert!(Tagger::with_clusters(m, Some(clusters)).is_ok());
}

#[test]
fn train_ner_command_writes_the_same_model_twice() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("tiny.conll");
    std::fs::write(&data, tiny_conll()).unwrap();
    let data = data.to_str().unwrap();
    let mut models = Vec::new();
    for name in ["a.bin", "b.bin"] {
        let out = dir.path().join(name);
        let o = kglink(
            &[
                "train",
                "ner",
                "--train",
                data,
                "--dev",
                data,
                "--out",
                out.to_str().unwrap(),
                "--epochs",
                "3",
                "--seed",
                "7",
            ],
            None,
        );
        let err = stderr(&o);
        assert!(o.status.success(), "{err}");
        assert!(o.stdout.is_empty(), "stdout is for data");
        assert!(
            err.contains("epoch  1/3:") && err.contains("dev P "),
            "{err}"
        );
        assert!(err.contains("kept epoch"), "{err}");
        models.push(std::fs::read(&out).unwrap());
    }
    assert_eq!(models[0], models[1]);
    Tagger::from_bytes(&models[0]).unwrap();
}

#[test]
fn conll_errors_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.conll");
    std::fs::write(
        &bad,
        "-DOCSTART- -X- -X- O\n\nParis NNP I-NP I-LOC\nis VBZ I-VP X-FOO\n",
    )
    .unwrap();
    let err = conll::read_file(&bad).unwrap_err().to_string();
    assert!(
        err.starts_with(&format!("{}:4: bad NER tag", bad.display())),
        "{err}"
    );

    let out = dir.path().join("m.bin");
    let o = kglink(
        &[
            "train",
            "ner",
            "--train",
            bad.to_str().unwrap(),
            "--dev",
            bad.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("{}:4:", bad.display())),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists());
}

/// xorshift64*, as in the robustness tests.
fn next(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_f491_4f6c_dd1d)
}

#[test]
fn tagging_random_text_never_panics() {
    const PIECES: &[&str] = &[
        "Kim",
        "Jong-un",
        "TRUMP",
        "trump",
        "U.S.",
        "Japan's",
        "’s",
        "President",
        "Mr.",
        "Bank",
        "Inc.",
        ".",
        ",",
        "'",
        "\"",
        "(",
        ")",
        "-",
        "\n",
        " ",
        "é",
        "Erdoğan",
        "東京",
        "🙂",
        "\u{301}",
        "A",
        "1996",
        "New York",
        "Hanoi",
    ];
    let kb = Kb::bundled().unwrap();
    let tagger = Tagger::bundled().unwrap();
    let mut state = 0x1234_5678_9abc_def1u64;
    for _ in 0..2000 {
        let mut text = String::new();
        for _ in 0..next(&mut state) % 30 {
            text.push_str(PIECES[(next(&mut state) % PIECES.len() as u64) as usize]);
            if next(&mut state).is_multiple_of(2) {
                text.push(' ');
            }
        }
        let tokens = text::tokenize(&text);
        for s in tagger.tag(kb, &text, &tokens) {
            assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
            assert!(s.start < s.end && s.end <= text.len());
        }
    }
}

#[test]
fn bundled_model_scores_on_conll_dev() {
    let Some(path) = shared("eval/train/conll2003-eng.testa") else {
        return;
    };
    let kb = Kb::bundled().unwrap();
    let docs = conll::read_file(&path).unwrap();
    let scores = train::evaluate(Tagger::bundled().unwrap(), kb, &docs);
    let f1 = scores.overall.f1();
    eprintln!("bundled tagger on CoNLL-2003 dev: F1 {f1:.4}");
    assert!(f1 >= 0.90, "{scores:?}");
}

#[test]
fn heldout_fold_of_conll_train_is_scored_apart() {
    let Some(path) = shared("eval/train/conll2003-eng.train") else {
        return;
    };
    let docs = conll::read_file(&path).unwrap();
    let (train_docs, fold) = conll::split_heldout(docs.clone(), conll::HELDOUT_EVERY);
    assert_eq!((train_docs.len(), fold.len()), (852, 94));
    assert_eq!(fold[0], docs[9]);
    assert!(fold.iter().all(|d| !train_docs.contains(d)));
    let kb = Kb::bundled().unwrap();
    let scores = train::evaluate(Tagger::bundled().unwrap(), kb, &fold);
    eprintln!(
        "bundled tagger on the held-out fold: F1 {:.4}",
        scores.overall.f1()
    );
    assert!(scores.overall.f1() >= 0.90, "{scores:?}");
    // kglink eval reports the fold beside the gold files, per type
    let o = kglink(
        &["eval", "--by-type", "--heldout", path.to_str().unwrap()],
        None,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.lines()
            .any(|l| l.starts_with("conll2003-eng.train (held-out fold)")
                && l.split_whitespace().nth(3) == Some("94")),
        "{out}"
    );
    for ty in ["PER", "ORG", "LOC"] {
        assert!(
            out.lines()
                .any(|l| l.starts_with("conll2003-eng.train (held-out fold)") && l.contains(ty)),
            "{out}"
        );
    }
}

#[test]
fn bundled_clusters_match_the_bundled_model() {
    let tagger = Tagger::bundled().unwrap();
    let clusters = tagger.clusters().expect("the bundled model reads clusters");
    assert_eq!(tagger.model().clusters_checksum(), clusters.checksum());
    assert!(clusters.len() > 10_000);
    // capitals and title case share a cluster path lookup
    assert!(clusters.get("Japan").is_some());
}

#[test]
fn train_clusters_command_writes_the_same_file_twice() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("news.jsonl");
    let mut lines = String::new();
    for (i, (day, city)) in [
        ("Monday", "Paris"),
        ("Tuesday", "London"),
        ("Friday", "Berlin"),
    ]
    .iter()
    .enumerate()
    {
        for _ in 0..3 {
            lines.push_str(&format!(
                "{{\"id\": \"{i}\", \"text\": \"Officials met on {day} in {city}. Talks in {city} ended on {day}.\"}}\n"
            ));
        }
    }
    std::fs::write(&corpus, lines).unwrap();
    let conll = dir.path().join("tiny.conll");
    std::fs::write(&conll, tiny_conll()).unwrap();
    let mut files = Vec::new();
    for name in ["a.tsv", "b.tsv"] {
        let out = dir.path().join(name);
        let o = kglink(
            &[
                "train",
                "clusters",
                "--corpus",
                corpus.to_str().unwrap(),
                "--conll",
                conll.to_str().unwrap(),
                "--min-count",
                "2",
                "--depth",
                "3",
                "--out",
                out.to_str().unwrap(),
            ],
            None,
        );
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stderr(&o).contains("checksum"), "{}", stderr(&o));
        files.push(std::fs::read(&out).unwrap());
    }
    assert_eq!(files[0], files[1]);
    let c = Clusters::parse(&files[0]).unwrap();
    assert_eq!(c.depth(), 3);
    assert!(c.get("Monday").is_some() && c.get("Vexa").is_some());
}
