//! Every corpus APK (`../shared/corpus/apps`, skipped when absent) indexes without problems, and
//! class / method / invoke / const-string counts match androguard 4 (`DEX(...).get_classes()`,
//! `get_methods()`, `get_code()`, instruction opcodes), computed once and kept here.

use mastiff_code::{ArgValue, CodeIndex, Limits};
use mastiff_formats::zip::{Archive, EntryCache};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/apps");

/// apk, dex files, classes, methods, methods with code, invoke instructions, const-strings.
#[rustfmt::skip]
const ANDROGUARD: &[(&str, usize, usize, usize, usize, u64, u64)] = &[
    ("androgoat-AndroGoat-noNSC.apk", 1, 2748, 21444, 20082, 66697, 11367),
    ("androgoat-AndroGoat.apk", 1, 2961, 23739, 22329, 74296, 11969),
    ("androguard-testdata-a2dp.Vol_137.apk", 1, 1353, 9676, 8522, 23516, 3088),
    ("androguard-testdata-com.politedroid_4.apk", 1, 10, 34, 34, 291, 84),
    ("androguard-testdata-com.teleca.jamendo_35.apk", 1, 224, 1133, 1046, 4205, 488),
    ("diva-diva-beta.apk", 1, 1791, 14809, 13342, 35746, 2648),
    ("droidbench-LogNoLeak.apk", 1, 293, 2297, 2005, 5046, 660),
    ("droidbench-Obfuscation1.apk", 1, 328, 2567, 2244, 5796, 740),
    ("droidbench-PrivateDataLeak1.apk", 1, 295, 2306, 2014, 5074, 666),
    ("ghera-BlockCipher-ECB-InformationExposure-Lean-benign-v2.apk", 1, 622, 5072, 4764, 15920, 1228),
    ("ghera-DynamicRegBroadcastReceiver-UnrestrictedAccess-Lean-benign.apk", 1, 622, 5069, 4761, 15880, 1223),
    ("ghera-ExternalStorage-DataInjection-Lean-benign.apk", 1, 620, 5064, 4756, 15874, 1210),
    ("ghera-HttpConnection-MITM-Lean-benign.apk", 1, 622, 5068, 4760, 15899, 1219),
    ("ghera-InternalStorage-DirectoryTraversal-Lean-benign.apk", 1, 619, 5061, 4753, 15871, 1223),
    ("ghera-JavaScriptExecution-CodeInjection-Lean-benign.apk", 1, 619, 5061, 4753, 15860, 1208),
    ("ghera-SQLite-execSQL-Lean-benign.apk", 1, 625, 5081, 4773, 15984, 1255),
    ("ghera-UnprotectedBroadcastRecv-PrivEscalation-Lean-benign.apk", 1, 621, 5067, 4759, 15886, 1222),
    ("ghera-WebView-NoUserPermission-InformationExposure-Lean-benign.apk", 1, 623, 5080, 4772, 15906, 1236),
    ("injuredandroid-InjuredAndroid-2020-01.apk", 1, 2205, 16978, 15864, 50307, 3729),
    ("insecurebankv2-InsecureBankv2-debug.apk", 1, 6529, 40188, 35722, 121055, 17765),
    ("insecurebankv2-InsecureBankv2-release.apk", 1, 6539, 40209, 35743, 121099, 17767),
    ("insecureshop-InsecureShop.apk", 1, 4849, 36088, 34188, 110999, 13857),
    ("mastg-HelloWorld-JNI.apk", 1, 1725, 13883, 12425, 34147, 3051),
    ("mastg-UnCrackable-Level1.apk", 1, 7, 15, 15, 63, 26),
    ("mastg-UnCrackable-Level2.apk", 1, 625, 5081, 4771, 15813, 1221),
    ("mastg-UnCrackable-Level3.apk", 1, 1396, 11182, 10463, 35125, 2775),
    ("ovaa-ovaa.apk", 1, 2024, 15912, 14935, 51290, 5228),
    ("pivaa-pivaa.apk", 1, 2318, 17887, 16752, 54165, 5290),
];

fn dex_order(name: &str) -> Option<u32> {
    let n = name.strip_prefix("classes")?.strip_suffix(".dex")?;
    if n.is_empty() {
        Some(1)
    } else {
        n.parse().ok().filter(|&k| k >= 2)
    }
}

fn with_index(apk: &str, f: impl FnOnce(&CodeIndex, &[mastiff_code::CodeProblem])) -> bool {
    let path = format!("{CORPUS}/{apk}");
    let Ok(bytes) = std::fs::read(&path) else {
        eprintln!("skipping {path}: not present");
        return false;
    };
    index_bytes(&bytes, f);
    true
}

fn index_bytes(bytes: &[u8], f: impl FnOnce(&CodeIndex, &[mastiff_code::CodeProblem])) {
    let limits = mastiff_formats::Limits::default();
    let archive = Archive::parse(bytes, &limits).unwrap();
    let cache = EntryCache::new(&archive, limits.clone());
    let mut names: Vec<(u32, String)> = archive
        .entries()
        .iter()
        .filter_map(|e| dex_order(&e.name).map(|k| (k, e.name.clone())))
        .collect();
    names.sort();
    let dex: Vec<(String, &[u8])> = names
        .iter()
        .map(|(_, n)| (n.clone(), cache.get(n).unwrap().unwrap()))
        .collect();
    let (ix, problems) = CodeIndex::build(&dex, None, &Limits::default());
    f(&ix, &problems);
}

/// No problems, and (files, classes, methods, methods with code, invokes, const-strings) as
/// androguard counts them.
fn assert_counts(
    apk: &str,
    ix: &CodeIndex,
    problems: &[mastiff_code::CodeProblem],
    expected: (usize, usize, usize, usize, u64, u64),
) {
    assert!(problems.is_empty(), "{apk}: {problems:?}");
    let got = (
        ix.dex_files().len(),
        ix.classes().count(),
        ix.method_count(),
        ix.methods().filter(|(_, m)| m.has_code).count(),
        ix.calls().len() as u64,
        ix.string_uses().len() as u64,
    );
    assert_eq!(got, expected, "{apk}");
}

#[test]
fn counts_match_androguard() {
    let mut checked = 0;
    for &(apk, files, classes, methods, with_code, invokes, cstrings) in ANDROGUARD {
        checked += usize::from(with_index(apk, |ix, problems| {
            assert_counts(
                apk,
                ix,
                problems,
                (files, classes, methods, with_code, invokes, cstrings),
            );
            let invokes_in_summaries: u64 = ix
                .methods()
                .map(|(_, m)| u64::from(m.summary.invokes))
                .sum();
            assert_eq!(invokes_in_summaries, invokes, "{apk}");
        }));
    }
    eprintln!("{checked} corpus APKs compared with androguard");
}

/// The benchmark APKs from npm (`android-apidemos` 5.0.0, `appium-uiautomator2-server` 10.6.6),
/// compared the same way; checked when `MASTIFF_BENCH_APKS` names a directory holding them.
#[rustfmt::skip]
const ANDROGUARD_BENCH: &[(&str, usize, usize, usize, usize, u64, u64)] = &[
    ("ApiDemos-debug.apk", 1, 5068, 33456, 32124, 110225, 18855),
    ("appium-uiautomator2-server-v10.6.6.apk", 16, 9575, 76055, 69815, 245728, 74647),
];

#[test]
fn bench_apks_match_androguard() {
    let Some(dir) = std::env::var_os("MASTIFF_BENCH_APKS") else {
        eprintln!("MASTIFF_BENCH_APKS not set: skipped");
        return;
    };
    for &(apk, files, classes, methods, with_code, invokes, cstrings) in ANDROGUARD_BENCH {
        let path = std::path::Path::new(&dir).join(apk);
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!("skipping {}: not present", path.display());
            continue;
        };
        index_bytes(&bytes, |ix, problems| {
            assert_counts(
                apk,
                ix,
                problems,
                (files, classes, methods, with_code, invokes, cstrings),
            );
        });
    }
}

#[test]
fn ghera_ecb_call_is_visible() {
    with_index(
        "ghera-BlockCipher-ECB-InformationExposure-Lean-benign-v2.apk",
        |ix, _| {
            let ecb: Vec<_> = ix
                .calls_to("Ljavax/crypto/Cipher;", "getInstance")
                .filter(|c| {
                    ix.args(c)
                        .first()
                        .and_then(ArgValue::as_str)
                        .is_some_and(|s| s.contains("ECB"))
                })
                .collect();
            assert!(!ecb.is_empty());
            let loc = ix.location(ecb[0].caller, ecb[0].offset).to_string();
            assert!(loc.contains("classes.dex+0x"), "{loc}");
        },
    );
}
