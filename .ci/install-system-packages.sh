#!/bin/sh
# Installs the system packages the tests need, on a fresh Debian/Ubuntu machine (idempotent):
#   java + javac  (compile and run tests/owl/ProfileCheck.java; owlready2 starts HermiT with `java`)
#   libowlapi-java (OWL API 5.1 jars in /usr/share/java, plus its dependency jars via Depends)
#   raptor2-utils  (rapper: an independent parser for the Turtle, N-Triples, N-Quads, TriG and RDF/XML exports)
#   libapache-jena-java (Jena's riot, run from its jars: an independent JSON-LD parser; Debian ships no launcher)
#   virtuoso-opensource-7-bin (virtuoso-t and isql-vt only: tests/virtuoso.py runs a throw-away Virtuoso with its
#                  own virtuoso.ini; not virtuoso-opensource-7, whose postinst creates and starts a system server)
#   chromium       (Debian's headless browser: tests/test_browser.py drives it with Playwright, executable_path
#                  /usr/bin/chromium, so Playwright downloads no browser of its own)
# owlready2 itself is a pip test extra (pyproject), not installed here.
# Idempotent and quiet: does nothing when the packages are already installed.
set -eu

PACKAGES="default-jre-headless default-jdk-headless libowlapi-java raptor2-utils libapache-jena-java virtuoso-opensource-7-bin chromium"

missing=""
for p in $PACKAGES; do
    if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
        missing="$missing $p"
    fi
done

if [ -n "$missing" ]; then
    SUDO=""
    if [ "$(id -u)" != 0 ]; then
        SUDO="sudo"
    fi
    # Debian slim images lack man dirs; the OpenJDK postinst then fails on its man-page alternatives
    $SUDO mkdir -p /usr/share/man/man1
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# fail here, not later in pytest, if something is still missing
command -v java >/dev/null
command -v javac >/dev/null
test -f /usr/share/java/owlapi-distribution.jar
command -v rapper >/dev/null
test -f /usr/share/java/jena-cmds.jar
command -v virtuoso-t >/dev/null
command -v isql-vt >/dev/null
command -v chromium >/dev/null
echo "owl tools: $(java -version 2>&1 | head -n 1); owlapi $(dpkg-query -W -f='${Version}' libowlapi-java)"
echo "browser: $(chromium --version 2>/dev/null | head -n 1)"
echo "rdf tools: $(rapper --version 2>&1 | head -n 1 | sed 's/^/rapper /'); jena $(dpkg-query -W -f='${Version}' libapache-jena-java); virtuoso $(dpkg-query -W -f='${Version}' virtuoso-opensource-7-bin)"
