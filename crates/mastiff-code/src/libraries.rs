//! Known third-party library packages, as data, and the app-code classification.

/// `(descriptor prefix, library name)`. The longest matching prefix wins.
pub static KNOWN_LIBRARIES: &[(&str, &str)] = &[
    ("Landroidx/", "androidx"),
    ("Landroid/support/", "android-support"),
    ("Landroid/arch/", "android-arch"),
    ("Lcom/google/android/material/", "material-components"),
    ("Lcom/google/android/gms/", "play-services"),
    ("Lcom/google/android/play/", "play-core"),
    ("Lcom/google/android/datatransport/", "play-services"),
    ("Lcom/google/android/exoplayer2/", "exoplayer"),
    ("Lcom/google/firebase/", "firebase"),
    ("Lcom/google/common/", "guava"),
    ("Lcom/google/thirdparty/", "guava"),
    ("Lcom/google/gson/", "gson"),
    ("Lcom/google/protobuf/", "protobuf"),
    ("Lcom/google/crypto/tink/", "tink"),
    ("Lcom/google/zxing/", "zxing"),
    ("Lcom/google/auto/", "auto"),
    ("Lcom/google/errorprone/", "errorprone"),
    ("Lcom/google/j2objc/", "j2objc"),
    ("Lcom/google/dagger/", "dagger"),
    ("Ldagger/", "dagger"),
    ("Ljavax/inject/", "javax-inject"),
    ("Ljavax/annotation/", "javax-annotation"),
    ("Lokhttp3/", "okhttp"),
    ("Lokio/", "okio"),
    ("Lretrofit2/", "retrofit"),
    ("Lcom/squareup/", "square"),
    ("Lkotlin/", "kotlin-stdlib"),
    ("Lkotlinx/", "kotlinx"),
    ("Lorg/jetbrains/annotations/", "jetbrains-annotations"),
    ("Lorg/intellij/lang/annotations/", "jetbrains-annotations"),
    ("Lorg/bouncycastle/", "bouncycastle"),
    ("Lorg/spongycastle/", "spongycastle"),
    ("Lcom/facebook/", "facebook"),
    ("Lcom/fasterxml/jackson/", "jackson"),
    ("Lorg/apache/commons/", "apache-commons"),
    ("Lorg/apache/http/", "apache-httpclient"),
    ("Lorg/json/", "org.json"),
    ("Lorg/slf4j/", "slf4j"),
    ("Lch/qos/logback/", "logback"),
    ("Lorg/greenrobot/", "greenrobot"),
    ("Lio/reactivex/", "rxjava"),
    ("Lrx/", "rxjava"),
    ("Lio/realm/", "realm"),
    ("Lnet/sqlcipher/", "sqlcipher"),
    ("Lnet/zetetic/", "sqlcipher"),
    ("Lcom/bumptech/glide/", "glide"),
    ("Lcom/airbnb/lottie/", "lottie"),
    ("Lcom/jakewharton/", "jakewharton"),
    ("Lio/sentry/", "sentry"),
    ("Lcom/crashlytics/", "crashlytics"),
    ("Lio/fabric/", "fabric"),
    ("Lcom/amplitude/", "amplitude"),
    ("Lcom/appsflyer/", "appsflyer"),
    ("Lcom/adjust/", "adjust"),
    ("Lcom/mixpanel/", "mixpanel"),
    ("Lcom/onesignal/", "onesignal"),
    ("Lio/branch/", "branch"),
    ("Lcom/unity3d/", "unity"),
    ("Lcom/scottyab/rootbeer/", "rootbeer"),
    ("Lcom/datatheorem/android/trustkit/", "trustkit"),
    ("Lnet/openid/appauth/", "appauth"),
    ("Lio/flutter/", "flutter"),
    ("Lcom/facebook/react/", "react-native"),
    ("Lorg/apache/cordova/", "cordova"),
    ("Lcom/getcapacitor/", "capacitor"),
    ("Lcom/journeyapps/", "zxing-android-embedded"),
    ("Lorg/hamcrest/", "hamcrest"),
    ("Lorg/junit/", "junit"),
    ("Ljunit/", "junit"),
    ("Lorg/mockito/", "mockito"),
    ("Lnet/bytebuddy/", "bytebuddy"),
    ("Lorg/objenesis/", "objenesis"),
    ("Lio/netty/", "netty"),
    ("Lorg/eclipse/", "eclipse"),
    ("Lorg/xmlpull/", "xmlpull"),
    ("Lorg/checkerframework/", "checker-framework"),
    ("Lorg/conscrypt/", "conscrypt"),
    ("Lcom/android/volley/", "volley"),
    ("Lcom/loopj/", "android-async-http"),
    ("Lde/greenrobot/", "greenrobot"),
    ("Lcom/nineoldandroids/", "nineoldandroids"),
    ("Lcom/android/billingclient/", "play-billing"),
    ("Lcom/android/installreferrer/", "install-referrer"),
    ("Lj$/", "desugar-jdk-libs"),
    ("Ljava/", "java"),
    ("Ljavax/", "javax"),
];

/// The known library a class descriptor (`Lokhttp3/OkHttpClient;`) belongs to.
pub fn library_of(descriptor: &str) -> Option<&'static str> {
    let mut best: Option<(usize, &'static str)> = None;
    for &(prefix, name) in KNOWN_LIBRARIES {
        if descriptor.starts_with(prefix) && best.is_none_or(|(l, _)| prefix.len() > l) {
            best = Some((prefix.len(), name));
        }
    }
    best.map(|(_, n)| n)
}

/// Package segments of a class descriptor: `Lcom/x/Y;` → `["com", "x"]`.
fn package_segments(descriptor: &str) -> impl Iterator<Item = &str> {
    let body = descriptor
        .strip_prefix('L')
        .and_then(|d| d.strip_suffix(';'))
        .unwrap_or(descriptor);
    let pkg = body.rfind('/').map_or("", |i| body.get(..i).unwrap_or(""));
    pkg.split('/').filter(|s| !s.is_empty())
}

/// Whether a class is app code (see the crate documentation for the rule).
pub(crate) fn is_app_code(descriptor: &str, app_package: Option<&str>) -> bool {
    let segs: Vec<&str> = package_segments(descriptor).collect();
    let app_segs: Vec<&str> = app_package
        .unwrap_or("")
        .split('.')
        .filter(|s| !s.is_empty())
        .collect();
    // Inside the manifest package: app code even when that package is also a library prefix
    // (an app published by a library vendor).
    if !app_segs.is_empty()
        && segs.len() >= app_segs.len()
        && segs.iter().zip(&app_segs).all(|(a, b)| a == b)
    {
        return true;
    }
    if library_of(descriptor).is_some() {
        return false;
    }
    // No package, or an obfuscated one (every segment one or two characters): app code.
    if segs.is_empty() || segs.iter().all(|s| s.len() <= 2) {
        return true;
    }
    if app_segs.is_empty() {
        return true;
    }
    // Shares the first two segments (com.example.app and com.example.lib).
    app_segs.len() >= 2 && segs.len() >= 2 && segs.get(..2) == app_segs.get(..2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libraries_and_app_code() {
        assert_eq!(library_of("Lokhttp3/OkHttpClient;"), Some("okhttp"));
        assert_eq!(
            library_of("Lcom/facebook/react/Bridge;"),
            Some("react-native")
        );
        assert_eq!(library_of("Lcom/facebook/login/L;"), Some("facebook"));
        assert_eq!(library_of("Lcom/example/A;"), None);
        let app = Some("com.example.app");
        assert!(is_app_code("Lcom/example/app/Main;", app));
        assert!(is_app_code("Lcom/example/app/ui/Main;", app));
        assert!(is_app_code("Lcom/example/other/Util;", app));
        assert!(is_app_code("La/b/c;", app));
        assert!(is_app_code("LMain;", app));
        assert!(!is_app_code("Lorg/other/lib/Thing;", app));
        assert!(!is_app_code("Lokhttp3/a/b;", app));
        assert!(!is_app_code("Landroidx/core/a;", app));
        assert!(is_app_code("Lorg/other/lib/Thing;", None));
        assert!(!is_app_code("Lcom/examples/app/X;", app));
        // The app's own package wins over the library table.
        assert!(is_app_code(
            "Lcom/facebook/katana/Main;",
            Some("com.facebook.katana")
        ));
        assert!(!is_app_code(
            "Lcom/facebook/login/A;",
            Some("com.facebook.katana")
        ));
    }
}
