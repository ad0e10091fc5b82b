"""Best-of-N wall time of androguard's full analysis, `AnalyzeAPK(path)`, in this process.

Usage: androguard_time.py APK [runs]
Prints `best_ms=<ms> classes=<n>`. Only the AnalyzeAPK call is timed (imports and logging setup
are not). bench/run.sh runs this in a separate python process per APK.
"""
import sys
import time


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    try:
        from loguru import logger  # androguard logs through loguru; keep stderr quiet

        logger.remove()
    except Exception:
        pass
    from androguard.misc import AnalyzeAPK

    best = None
    classes = 0
    for _ in range(max(1, runs)):
        t0 = time.perf_counter()
        _apk, _dexes, analysis = AnalyzeAPK(path)
        dt = time.perf_counter() - t0
        best = dt if best is None else min(best, dt)
        classes = len(list(analysis.get_classes()))
        del _apk, _dexes, analysis
    print("best_ms=%.1f classes=%d" % (best * 1e3, classes))


if __name__ == "__main__":
    main()
