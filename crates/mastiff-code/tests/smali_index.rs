//! The index over small dex files assembled from `tests/data/smali` (rebuild: `tests/data/build.sh`).

use mastiff_code::{
    ArgValue, CallSite, CodeIndex, FieldAccessKind, InvokeKind, Limits, ProblemKind,
};

fn data(name: &str) -> Vec<u8> {
    let p = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");
    std::fs::read(format!("{p}{name}")).unwrap()
}

/// The index borrows its dex files: a test's files live as long as the test process.
fn index(files: &[&str]) -> (CodeIndex<'static>, Vec<mastiff_code::CodeProblem>) {
    let bytes: Vec<(String, &'static [u8])> = files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let name = if i == 0 {
                "classes.dex".to_string()
            } else {
                format!("classes{}.dex", i + 1)
            };
            (name, &*Box::leak(data(f).into_boxed_slice()))
        })
        .collect();
    CodeIndex::build(&bytes, Some("com.example.app"), &Limits::default())
}

fn calls_from<'a>(ix: &'a CodeIndex, class: &str, name: &str, caller: &str) -> Vec<CallSite<'a>> {
    ix.calls_to(class, name)
        .filter(|c| ix.method(c.caller).is_some_and(|m| m.name == caller))
        .collect()
}

fn one<'a>(ix: &'a CodeIndex, class: &str, name: &str, caller: &str) -> CallSite<'a> {
    let v = calls_from(ix, class, name, caller);
    assert_eq!(v.len(), 1, "{class}.{name} from {caller}: {v:#?}");
    v[0]
}

const CIPHER: &str = "Ljavax/crypto/Cipher;";
const SKS: &str = "Ljavax/crypto/spec/SecretKeySpec;";
const IVS: &str = "Ljavax/crypto/spec/IvParameterSpec;";

#[test]
fn constant_arguments() {
    let (ix, problems) = index(&["app.dex"]);
    assert!(problems.is_empty(), "{problems:?}");

    let c = one(&ix, CIPHER, "getInstance", "ecb");
    // Tracking is on demand: nothing is tracked until a rule asks, then only the caller.
    assert_eq!(ix.tracked_methods(), 0);
    assert_eq!(
        ix.args(c),
        vec![ArgValue::Str("AES/ECB/PKCS5Padding".into())]
    );
    assert_eq!(ix.tracked_methods(), 1);
    let _ = ix.args(c);
    assert_eq!(ix.tracked_methods(), 1);
    assert_eq!(c.kind, InvokeKind::Static);
    assert!(c.result_used);
    assert_eq!(
        c.callee.descriptor,
        "(Ljava/lang/String;)Ljavax/crypto/Cipher;"
    );

    let c = one(&ix, "Ljava/security/KeyPairGenerator;", "initialize", "rsa");
    assert!(matches!(&ix.args(c)[0], ArgValue::ReturnOf(m) if &*m.name == "getInstance"));
    assert_eq!(ix.args(c)[1], ArgValue::Int(1024));

    let c = one(&ix, SKS, "<init>", "constKey");
    assert_eq!(ix.args(c)[0], ArgValue::NewInstance(SKS.into()));
    assert_eq!(
        ix.args(c)[1].as_bytes(),
        Some(&[1u8, 2, 3, 4, 5, 6, 7, 0xff][..])
    );
    assert_eq!(ix.args(c)[2].as_str(), Some("AES"));

    let c = one(&ix, IVS, "<init>", "zeroIv");
    assert_eq!(
        ix.args(c)[1],
        ArgValue::NewArray {
            ty: "[B".into(),
            len: Some(16)
        }
    );
    let c = one(&ix, IVS, "<init>", "aputIv");
    assert_eq!(ix.args(c)[1].as_bytes(), Some(&[7u8, 0][..]));

    let b = "Landroid/security/keystore/KeyGenParameterSpec$Builder;";
    let c = one(&ix, b, "setKeySize", "keystore");
    assert_eq!(
        ix.args(c),
        vec![ArgValue::NewInstance(b.into()), ArgValue::Int(256)]
    );
    let c = one(&ix, b, "setUserAuthenticationRequired", "keystore");
    assert!(matches!(&ix.args(c)[0], ArgValue::ReturnOf(m) if &*m.name == "setKeySize"));
    assert_eq!(ix.args(c)[1], ArgValue::Int(1));
    let c = one(&ix, b, "<init>", "keystore");
    assert_eq!(ix.args(c)[1].as_str(), Some("alias"));
    assert_eq!(ix.args(c)[2], ArgValue::Int(3));

    // Three arguments: the list spills to the heap and still reads as a slice.
    let c = one(&ix, "Lcom/example/app/Util;", "take", "misc");
    assert_eq!(ix.args(c).len(), 4);
    assert_eq!(ix.args(c).iter().filter(|a| a.is_constant()).count(), 4);
    let c = one(&ix, SKS, "<init>", "getBytesKey");
    assert_eq!(ix.args(c).first(), Some(&ArgValue::NewInstance(SKS.into())));
    assert_eq!(ix.args(c)[1].as_bytes(), Some(&b"secretkey1234567"[..]));

    let c = one(&ix, "Landroid/net/Uri;", "parse", "builderUrl");
    assert_eq!(ix.args(c)[0].as_str(), Some("http://example.com:8080"));

    // Static finals: from static values, from <clinit>; a non-final field has no value.
    let v = calls_from(&ix, CIPHER, "getInstance", "staticAlg");
    assert_eq!(v.len(), 2);
    assert_eq!(ix.args(v[0])[0].as_str(), Some("DES"));
    assert!(
        matches!(&ix.args(v[0])[0], ArgValue::StaticField { field, .. } if &*field.name == "ALG")
    );
    assert!(
        matches!(&ix.args(v[1])[0], ArgValue::StaticField { field, value: None } if &*field.name == "mutable")
    );
    let c = one(&ix, SKS, "<init>", "staticAlg");
    assert_eq!(ix.args(c)[1].as_bytes(), Some(&b"key!"[..]));

    // Class literal, float, null, wide, params, new-instance.
    let c = one(&ix, "Lcom/example/app/Util;", "take", "misc");
    assert_eq!(
        ix.args(c),
        vec![
            ArgValue::ClassConst("Lcom/example/app/Crypto;".into()),
            ArgValue::Float(2.0),
            ArgValue::Null,
            ArgValue::Int(0x12_3456_789a),
        ]
    );
    let c = one(&ix, "Lcom/example/app/Util;", "param", "misc");
    assert_eq!(ix.args(c), vec![ArgValue::Param(1), ArgValue::Param(2)]);
    let c = one(&ix, "Ljava/lang/Object;", "hashCode", "misc");
    assert_eq!(ix.args(c), vec![ArgValue::Param(0)]);
    assert!(!c.result_used);
    let c = one(&ix, "Lcom/example/app/Util;", "obj", "misc");
    assert_eq!(
        ix.args(c),
        vec![ArgValue::NewInstance("Ljava/io/File;".into())]
    );

    // Knowledge is dropped at branch targets and catch handlers.
    let c = one(&ix, CIPHER, "getInstance", "branch");
    assert_eq!(ix.args(c), vec![ArgValue::Unknown]);
    let c = one(&ix, CIPHER, "getInstance", "handler");
    assert_eq!(ix.args(c), vec![ArgValue::Unknown]);

    // Library code is indexed and labelled.
    let c = one(&ix, CIPHER, "getInstance", "des");
    assert!(!ix.is_app_code(c.caller));
    assert_eq!(ix.class("Lokhttp3/Fake;").unwrap().library, Some("okhttp"));
    assert!(ix.is_app_code(one(&ix, CIPHER, "getInstance", "ecb").caller));
}

#[test]
fn strings_fields_and_locations() {
    let (ix, _) = index(&["app.dex"]);
    let uses: Vec<&str> = ix.string_uses().map(|u| u.value).collect();
    assert!(uses.contains(&"AES/ECB/PKCS5Padding"));
    assert!(uses.contains(&"http://"));
    // The static value "RC4" is in the string table but not used by any const-string.
    assert!(ix.strings().any(|s| s == "RC4"));
    assert!(!uses.contains(&"RC4"));

    let acc: Vec<_> = ix
        .field_accesses("Lcom/example/app/Crypto;", "key")
        .collect();
    assert_eq!(acc.len(), 2);
    assert_eq!(acc[0].kind, FieldAccessKind::InstancePut);
    assert_eq!(ix.stored_value(acc[0]), &ArgValue::Null);
    assert_eq!(acc[1].kind, FieldAccessKind::InstanceGet);
    assert_eq!(ix.stored_value(acc[1]), &ArgValue::Unknown);
    let puts: Vec<_> = ix
        .field_accesses("Lcom/example/app/Consts;", "KEY")
        .filter(|a| a.kind == FieldAccessKind::StaticPut)
        .collect();
    assert_eq!(puts.len(), 1);
    assert_eq!(ix.stored_value(puts[0]).as_bytes(), Some(&b"key!"[..]));

    let consts = ix.class("Lcom/example/app/Consts;").unwrap();
    let size = ix
        .static_values(&consts)
        .find(|s| s.name == "SIZE")
        .unwrap();
    assert_eq!(size.value, &ArgValue::Int(0x200));

    let c = one(&ix, CIPHER, "getInstance", "ecb");
    let loc = ix.location(c.caller, c.offset);
    let mastiff_core::Location::Dex {
        file,
        class,
        method,
        offset,
    } = &loc
    else {
        panic!("{loc:?}")
    };
    assert_eq!(
        (file.as_str(), class.as_str(), method.as_str()),
        ("classes.dex", "com.example.app.Crypto", "ecb()")
    );
    // The offset is the instruction's byte offset in the file: a `invoke-static` (0x71) opcode.
    let dex = data("app.dex");
    assert_eq!(dex[*offset as usize], 0x71);
    let m = ix.method(c.caller).unwrap();
    assert_eq!(
        *offset,
        u64::from(m.code_off) + 16 + 4,
        "const-string (2 units) comes first"
    );
    let misc = ix
        .methods_named("Lcom/example/app/Crypto;", "misc")
        .next()
        .unwrap();
    let mastiff_core::Location::Dex { method, .. } = ix.location(misc, 0) else {
        panic!()
    };
    assert_eq!(method, "misc(java.lang.String, long)");
}

#[test]
fn summaries() {
    let (ix, _) = index(&["app.dex"]);
    let m = |class: &str, name: &str| {
        let id = ix.methods_named(class, name).next().unwrap();
        ix.method(id).unwrap().summary.clone()
    };
    let returns =
        |class: &str, name: &str| ix.returns_const(ix.methods_named(class, name).next().unwrap());
    let ta = "Lcom/example/app/TrustAll;";
    let s = m(ta, "checkServerTrusted");
    assert!(s.only_returns && !s.throws && s.insn_count == 1 && s.invokes == 0);
    assert_eq!(returns(ta, "checkServerTrusted"), None);
    let s = m(ta, "checkClientTrusted");
    assert!(s.throws && !s.only_returns);
    assert_eq!((s.insn_count, s.invokes), (3, 1));
    let s = m(ta, "getAcceptedIssuers");
    assert!(!s.only_returns && returns(ta, "getAcceptedIssuers").is_none());
    let aa = "Lcom/example/app/AllowAll;";
    assert_eq!(returns(aa, "verify"), Some(1));
    assert_eq!(returns(aa, "sometimes"), None);
    assert_eq!(returns(aa, "both"), Some(1));
    // The switch target drops the constant.
    assert_eq!(returns("Lcom/example/app/Crypto;", "switcher"), None);
    assert_eq!(m("Lcom/example/app/Crypto;", "switcher").insn_count, 4);
    // Abstract method: no code, default summary.
    let id = ix.methods_named(ta, "declaredOnly").next().unwrap();
    assert!(!ix.method(id).unwrap().has_code);
}

#[test]
fn hierarchy() {
    let (ix, _) = index(&["app.dex"]);
    let names = |v: Vec<mastiff_code::ClassInfo>| {
        let mut n: Vec<String> = v.iter().map(|c| c.descriptor.to_string()).collect();
        n.sort();
        n
    };
    assert_eq!(
        names(ix.subclasses_of("Landroid/webkit/WebViewClient;")),
        vec!["Lcom/example/app/MyClient;", "Lcom/example/app/SubClient;"]
    );
    assert_eq!(
        names(ix.implementors_of("Ljavax/net/ssl/X509TrustManager;")),
        vec![
            "Lcom/example/app/ImplMyTm;",
            "Lcom/example/app/SubTrust;",
            "Lcom/example/app/TrustAll;"
        ]
    );
    let ta = "Lcom/example/app/TrustAll;";
    let desc = "([Ljava/security/cert/X509Certificate;Ljava/lang/String;)V";
    let id = ix.overrides(ta, "checkServerTrusted", desc).unwrap();
    assert_eq!(ix.method(id).unwrap().name, "checkServerTrusted");
    assert!(ix
        .overrides("Lcom/example/app/SubTrust;", "checkServerTrusted", desc)
        .is_none());
    assert!(ix.overrides(ta, "declaredOnly", "()V").is_none());
    assert_eq!(
        ix.superclasses("Lcom/example/app/SubClient;"),
        vec![
            "Lcom/example/app/MyClient;",
            "Landroid/webkit/WebViewClient;"
        ]
    );
    // Virtual dispatch: proceed() reached through any class.
    assert_eq!(ix.calls_to_method_named("proceed").count(), 1);
}

#[test]
fn multidex_and_duplicates() {
    let (ix, problems) = index(&["app.dex", "app2.dex"]);
    assert_eq!(ix.dex_files().len(), 2);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].kind, ProblemKind::DuplicateClass);
    assert_eq!(problems[0].file, "classes2.dex");
    // The first definition wins.
    let c = ix.class("Lcom/example/app/Crypto;").unwrap();
    assert_eq!(c.dex, 0);
    assert!(c.source_file.is_none());
    // A call from the second dex into the first.
    let calls: Vec<_> = ix.calls_to("Lcom/example/app/Crypto;", "ecb").collect();
    assert_eq!(calls.len(), 1);
    // Argument values of the second file's calls are found in the shared arena.
    assert_eq!(
        ix.args(calls[0]),
        vec![ArgValue::NewInstance("Lcom/example/app/Crypto;".into())]
    );
    let ecb = one(&ix, CIPHER, "getInstance", "ecb");
    assert_eq!(
        ix.arg(ecb, 0).and_then(ArgValue::as_str),
        Some("AES/ECB/PKCS5Padding")
    );
    let mastiff_core::Location::Dex { file, class, .. } =
        ix.location(calls[0].caller, calls[0].offset)
    else {
        panic!()
    };
    assert_eq!(
        (file.as_str(), class.as_str()),
        ("classes2.dex", "com.example.app.Second")
    );
    assert!(ix.strings().any(|s| s == "only in the second dex"));
    // Hierarchy across files.
    assert!(ix
        .subclasses_of("Landroid/webkit/WebViewClient;")
        .iter()
        .any(|c| c.descriptor == "Lcom/example/app/Second;"));
    let info = &ix.dex_files()[1];
    assert_eq!((info.version, info.classes), (Some(38), 2));
}

#[test]
fn cyclic_hierarchy_is_reported_and_walks_terminate() {
    let (ix, problems) = index(&["cycle.dex"]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].kind, ProblemKind::CyclicHierarchy);
    assert_eq!(ix.subclasses_of("Lcom/example/app/A;").len(), 1);
    assert_eq!(ix.superclasses("Lcom/example/app/A;").len(), 1);
    assert!(ix.implementors_of("Ljava/lang/Runnable;").is_empty());
}

#[test]
fn unreadable_dex_is_a_problem_not_a_panic() {
    let good = data("app.dex");
    let files = vec![
        ("classes.dex".to_string(), &b"not a dex"[..]),
        ("classes2.dex".to_string(), &good[..]),
    ];
    let (ix, problems) = CodeIndex::build(&files, None, &Limits::default());
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].kind, ProblemKind::UnreadableDex);
    assert!(matches!(
        ix.dex_files()[0].status,
        mastiff_code::DexStatus::Unreadable(_)
    ));
    assert!(ix.class("Lcom/example/app/Crypto;").is_some());
    // Without a package, every non-library class is app code.
    assert!(ix.class("Lcom/example/app/Crypto;").unwrap().is_app_code);
}

#[test]
fn values_survive_forward_joins_where_every_path_agrees() {
    let (ix, problems) = index(&["app.dex"]);
    assert!(problems.is_empty(), "{problems:?}");
    let arg = |caller: &str| ix.args(one(&ix, CIPHER, "getInstance", caller)).to_vec();
    assert_eq!(
        arg("afterNullCheck"),
        vec![ArgValue::Str("AES/ECB/PKCS5Padding".into())]
    );
    assert_eq!(arg("differentPaths"), vec![ArgValue::Unknown]);
    assert_eq!(arg("samePaths"), vec![ArgValue::Str("ARCFOUR".into())]);
    assert_eq!(
        arg("loop"),
        vec![ArgValue::Unknown],
        "a loop head keeps nothing"
    );
    // A call's result on one path and a constant on the other: the call may be the source.
    match arg("maybeExtra").as_slice() {
        [ArgValue::MaybeReturnOf(m)] => assert_eq!(&*m.name, "getStringExtra"),
        other => panic!("maybeExtra: {other:?}"),
    }
    assert_eq!(arg("twoCalls"), vec![ArgValue::Unknown]);
}
