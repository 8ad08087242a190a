"""Command lines that run Apache Jena's tools (`riot`, `shacl`): a helper of the tests and the benchmark.

gcmkg's own commands never run Jena. tests/test_export.py re-reads the JSON-LD export with Jena's riot, and
bench/run.py measures Jena's SHACL validation against gcmkg's; both need a command line for the tool.

A launcher on PATH (Apache's own distribution) is used as it is. Debian's libapache-jena-java (4.5) ships
the jars but no launcher scripts, so the tool then runs as `java -cp ... MainClass` from /usr/share/java.
Its jena-core (4.5.0-2) moves the bundled Xerces classes to the package `xerces` but leaves their message
files under `org/apache/jena/ext/xerces`, and Jena then fails to start ("internal error" in
XSSimpleTypeDecl): a copy of the message files where the classes look for them goes first on the class path.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

JAVA_LIBS = Path("/usr/share/java")
#: Jena's jars and the jars of its Debian dependencies that the tools need (one SLF4J binding, so they start).
CLASSPATH = ("jena-arq jena-base jena-cmds jena-core jena-iri commons-cli commons-codec commons-compress "
             "commons-csv commons-io commons-lang3 dexx.collection gson guava httpclient httpclient-cache "
             "httpcore jackson-core jackson-databind jackson-annotations jsonld-java jakarta.json-api "
             "protobuf thrift titanium-json-ld caffeine slf4j-api slf4j-simple").split()
#: Each tool: its main class, and the jars it needs beyond CLASSPATH.
TOOLS: dict[str, tuple[str, tuple[str, ...]]] = {
    "riot": ("riotcmd.riot", ()),
    "shacl": ("shacl.shacl", ("jena-shacl",)),
}
XERCES_MESSAGES = "org/apache/jena/ext/xerces/"


class MissingJars(Exception):
    """Jena is installed from Debian's jars but some of the jars the tool needs are not."""

    def __init__(self, jars: list[str]) -> None:
        self.jars = jars
        super().__init__(f"Jena's dependencies are missing from {JAVA_LIBS}: {', '.join(jars)}")


def command(tool: str, work: Path, jar_arguments: tuple[str, ...] = ()) -> list[str] | None:
    """The command line that runs Jena's `tool` ("riot" or "shacl"), or None when neither its launcher nor Java
    and Debian's jena-core are installed (MissingJars when only some of the jars are).

    `work`: a folder for the mended Xerces message files (put on the class path, so it must outlive the
    command's runs). `jar_arguments` follow the main class only when the tool runs from Debian's jars: they
    work around what Debian's packaging lacks, which Apache's launcher does not."""
    main_class, extra = TOOLS[tool]
    if shutil.which(tool):
        return [tool]
    java = shutil.which("java")
    core = JAVA_LIBS / "jena-core.jar"
    if java is None or not core.is_file():
        return None
    jars = [JAVA_LIBS / f"{name}.jar" for name in (*CLASSPATH, *extra)]
    absent = [jar.name for jar in jars if not jar.is_file()]
    if absent:
        raise MissingJars(absent)
    mend_xerces_messages(core, work)
    return [java, "-cp", os.pathsep.join([str(work), *map(str, jars)]), main_class, *jar_arguments]


def mend_xerces_messages(core: Path, work: Path) -> None:
    """Copy the Xerces message files of Debian's jena-core.jar to where its relocated classes look for them."""
    with zipfile.ZipFile(core) as jar:
        names = set(jar.namelist())
        for name in names:
            relocated = name.replace(XERCES_MESSAGES, "xerces/", 1)
            if name.startswith(XERCES_MESSAGES) and name.endswith(".properties") and relocated not in names:
                (work / relocated).parent.mkdir(parents=True, exist_ok=True)
                (work / relocated).write_bytes(jar.read(name))
