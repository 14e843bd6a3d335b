//! "Did you mean ...?" for misspelled keys, kinds, vars and targets.

/// The candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let length = word.chars().count();
    let limit = (length / 3).max(2);
    let word = word.to_lowercase();
    candidates
        .into_iter()
        // The distance is at least the difference in length: no need to compute it then.
        .filter(|c| c.chars().count().abs_diff(length) <= limit)
        .map(|c| (distance(&word, &c.to_lowercase()), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(ca != cb))
                .min(row[j] + 1)
                .min(current + 1);
            previous = current;
        }
    }
    row[b.len()]
}

/// Names shown in one message at most: a runbook may declare thousands of vars, and a message
/// per undefined reference listing all of them made 200 KB of YAML print hundreds of megabytes.
const LISTED: usize = 20;

/// `a, b, c`, or the first [`LISTED`] names and how many there are in all.
/// Takes the count from the iterator rather than walking it: one message per error, each
/// walking every name, was quadratic.
pub(crate) fn name_list<'a>(names: impl ExactSizeIterator<Item = &'a str>) -> String {
    let count = names.len();
    let shown: Vec<&str> = names.take(LISTED).collect();
    let mut list = shown.join(", ");
    if count > LISTED {
        list.push_str(&format!(", ... ({count} in all)"));
    }
    list
}

/// ` (did you mean 'x'?)`, or nothing.
pub(crate) fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> String {
    closest(word, candidates)
        .map(|c| format!(" (did you mean '{c}'?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_misses_only() {
        assert_eq!(
            closest("taget", ["id", "kind", "target", "timeout"]),
            Some("target")
        );
        assert_eq!(closest("sqll", ["sql", "sql_file", "shell"]), Some("sql"));
        assert_eq!(closest("Text", ["text"]), Some("text"));
        assert_eq!(closest("zzzzzz", ["id", "kind"]), None);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn long_lists_are_cut() {
        assert_eq!(name_list(["a", "b"].into_iter()), "a, b");
        let names: Vec<String> = (0..25).map(|i| format!("v{i}")).collect();
        let list = name_list(names.iter().map(String::as_str));
        assert_eq!(name_list([].into_iter()), "");
        assert!(list.starts_with("v0, v1, "), "{list}");
        assert!(list.ends_with(", v19, ... (25 in all)"), "{list}");
    }
}
