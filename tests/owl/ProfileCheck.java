// OWL 2 DL profile check with the OWL API (the library Protégé is built on).
//
// Usage: java ProfileCheck [--catalog catalog-v001.xml] DOCUMENT...
//
// Every DOCUMENT (Turtle, or any syntax the OWL API parses) is loaded into one
// OWLOntologyManager.  owl:imports are resolved ONLY through the OASIS XML
// catalog (the same file Protégé reads): each <uri name="..." uri="..."/> entry
// (relative uris resolved against xml:base and the catalog's own location)
// becomes a SimpleIRIMapper.  An import the catalog does not map is never
// fetched from the network: it is mapped to a file that does not exist, so the
// load fails with exit code 2 naming the unmapped IRI.
//
// Then OWL2DLProfile is run over the imports closure of every document and
// over a synthetic ontology that imports all of them (catching problems that
// only show up when the files are combined, e.g. a property made non-simple by
// a chain in one file and used in a cardinality restriction in another).
// Triples the RDF parser could not turn into axioms ("unparsed triples", which
// Protégé silently drops) and declarations the parser had to guess are
// reported as violations too.
//
// Output: one "VIOLATION <ontology> <ViolationType>: <description>" line per
// problem (deduplicated), then "COUNTS classes=.. objectProperties=.. ...".
// Exit code: 0 = OWL 2 DL, 1 = violations found, 2 = usage or load error.

import java.io.File;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.io.OWLOntologyLoaderMetaData;
import org.semanticweb.owlapi.io.RDFParserMetaData;
import org.semanticweb.owlapi.model.AddImport;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyCreationException;
import org.semanticweb.owlapi.model.OWLOntologyIRIMapper;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.model.OWLRuntimeException;
import org.semanticweb.owlapi.model.parameters.Imports;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.semanticweb.owlapi.util.SimpleIRIMapper;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

public final class ProfileCheck {

    private static final String XML_NS = "http://www.w3.org/XML/1998/namespace";

    /** Reads the <uri name= uri=> entries of an OASIS XML catalog (Protégé's catalog-v001.xml). */
    static Map<String, URI> readCatalog(File catalog) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setExpandEntityReferences(false);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        DocumentBuilder b = f.newDocumentBuilder();
        Document doc = b.parse(catalog);
        Map<String, URI> map = new LinkedHashMap<>();
        // <uri> in the OASIS namespace (urn:oasis:names:tc:entity:xmlns:xml:catalog) or in none
        NodeList uris = doc.getElementsByTagNameNS("*", "uri");
        URI catalogBase = catalog.getCanonicalFile().toURI();
        for (int i = 0; i < uris.getLength(); i++) {
            Element e = (Element) uris.item(i);
            String name = e.getAttribute("name");
            String target = e.getAttribute("uri");
            if (name.isEmpty() || target.isEmpty()) {
                continue;
            }
            map.put(name, baseOf(e, catalogBase).resolve(target));
        }
        return map;
    }

    /** xml:base of an element, resolved through its ancestors against the catalog location. */
    private static URI baseOf(Node node, URI catalogBase) {
        List<String> bases = new ArrayList<>();
        for (Node n = node; n != null && n.getNodeType() == Node.ELEMENT_NODE; n = n.getParentNode()) {
            String base = ((Element) n).getAttributeNS(XML_NS, "base");
            if (!base.isEmpty()) {
                bases.add(0, base);
            }
        }
        URI result = catalogBase;
        for (String base : bases) {
            result = result.resolve(base);
        }
        return result;
    }

    /**
     * The catalog's entries as SimpleIRIMappers, consulted in catalog order.  An http(s)/ftp IRI
     * none of them maps goes to a file that does not exist, so it is never fetched from the
     * network.  (One mapper on purpose: the manager's PriorityCollection re-sorts separately
     * registered mappers, which would let the fallback win over the catalog.)
     */
    static final class CatalogIRIMapper implements OWLOntologyIRIMapper {
        private static final long serialVersionUID = 1L;
        private final List<SimpleIRIMapper> entries = new ArrayList<>();
        private final File nowhere;

        CatalogIRIMapper(File nowhere) {
            this.nowhere = nowhere;
        }

        void add(SimpleIRIMapper entry) {
            entries.add(entry);
        }

        @Override
        public IRI getDocumentIRI(IRI ontologyIRI) {
            for (SimpleIRIMapper entry : entries) {
                IRI document = entry.getDocumentIRI(ontologyIRI);
                if (document != null) {
                    return document;
                }
            }
            String scheme = ontologyIRI.getScheme();
            if (scheme == null || !(scheme.startsWith("http") || scheme.startsWith("ftp"))) {
                return null; // file:, urn: ... never touch the network
            }
            System.out.println("UNMAPPED-IMPORT " + ontologyIRI + " (not in the catalog; not fetched)");
            String safe = ontologyIRI.toString().replaceAll("[^A-Za-z0-9._-]", "_");
            return IRI.create(new File(nowhere, "NOT-IN-CATALOG-" + safe).toURI());
        }
    }

    private static String label(OWLOntology ont, OWLOntologyManager m) {
        if (ont.getOntologyID().getOntologyIRI().isPresent()) {
            return ont.getOntologyID().getOntologyIRI().get().toString();
        }
        return m.getOntologyDocumentIRI(ont).toString();
    }

    public static void main(String[] args) throws Exception {
        File catalog = null;
        List<File> documents = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if ("--catalog".equals(args[i]) && i + 1 < args.length) {
                catalog = new File(args[++i]);
            } else {
                documents.add(new File(args[i]).getCanonicalFile());
            }
        }
        if (documents.isEmpty()) {
            System.err.println("usage: java ProfileCheck [--catalog catalog-v001.xml] DOCUMENT...");
            System.exit(2);
        }

        OWLOntologyManager m = OWLManager.createOWLOntologyManager();
        m.getIRIMappers().clear();
        CatalogIRIMapper mapper = new CatalogIRIMapper(new File(System.getProperty("java.io.tmpdir")));
        if (catalog != null) {
            for (Map.Entry<String, URI> e : readCatalog(catalog).entrySet()) {
                IRI name = IRI.create(e.getKey());
                File target = new File(e.getValue());
                if (!target.isFile()) {
                    System.out.println("CATALOG-MISSING-FILE " + name + " -> " + target);
                }
                mapper.add(new SimpleIRIMapper(name, IRI.create(target.getCanonicalFile().toURI())));
                System.out.println("CATALOG " + name + " -> " + target);
            }
        }
        m.getIRIMappers().add(mapper);

        List<OWLOntology> loaded = new ArrayList<>();
        try {
            for (File doc : documents) {
                IRI docIRI = IRI.create(doc.toURI());
                OWLOntology already = null;
                for (OWLOntology o : m.getOntologies()) {
                    if (docIRI.equals(m.getOntologyDocumentIRI(o))) {
                        already = o;
                    }
                }
                loaded.add(already != null ? already : m.loadOntologyFromOntologyDocument(new FileDocumentSource(doc)));
            }
        } catch (OWLOntologyCreationException | OWLRuntimeException e) {
            System.out.println("LOAD-ERROR " + e.getClass().getSimpleName() + ": " + e.getMessage());
            System.exit(2);
        }

        Set<String> problems = new LinkedHashSet<>();

        // what the RDF parser could not map to OWL (lost in Protégé) or had to guess
        for (OWLOntology o : m.getOntologies()) {
            OWLDocumentFormat format = m.getOntologyFormat(o);
            if (format == null || !format.getOntologyLoaderMetaData().isPresent()) {
                continue;
            }
            OWLOntologyLoaderMetaData meta = format.getOntologyLoaderMetaData().get();
            if (meta instanceof RDFParserMetaData) {
                RDFParserMetaData rdf = (RDFParserMetaData) meta;
                String l = label(o, m);
                rdf.getUnparsedTriples().forEach(t -> problems.add(l + " UnparsedTriple: " + t));
                rdf.getGuessedDeclarations().entries().forEach(
                        e -> problems.add(l + " GuessedDeclaration: " + e.getKey() + " guessed as "
                                + e.getValue().getSimpleName() + " (add an explicit declaration)"));
            }
        }

        OWL2DLProfile profile = new OWL2DLProfile();
        List<OWLOntology> toCheck = new ArrayList<>(loaded);
        OWLOntology union = m.createOntology(IRI.create("urn:gcmkg:profile-check:union"));
        for (OWLOntology o : loaded) {
            if (o.getOntologyID().getOntologyIRI().isPresent()) {
                m.applyChange(new AddImport(union,
                        m.getOWLDataFactory().getOWLImportsDeclaration(o.getOntologyID().getOntologyIRI().get())));
            }
        }
        toCheck.add(union);
        for (OWLOntology o : toCheck) {
            OWLProfileReport report = profile.checkOntology(o);
            for (OWLProfileViolation v : report.getViolations()) {
                problems.add(label(v.getOntology(), m) + " " + v.getClass().getSimpleName() + ": "
                        + v.toString().replace('\n', ' '));
            }
        }

        for (String p : problems) {
            System.out.println("VIOLATION " + p);
        }
        System.out.println("COUNTS"
                + " ontologies=" + (union.importsClosure().count() - 1)
                + " axioms=" + union.getAxiomCount(Imports.INCLUDED)
                + " classes=" + union.classesInSignature(Imports.INCLUDED).count()
                + " objectProperties=" + union.objectPropertiesInSignature(Imports.INCLUDED).count()
                + " dataProperties=" + union.dataPropertiesInSignature(Imports.INCLUDED).count()
                + " annotationProperties=" + union.annotationPropertiesInSignature(Imports.INCLUDED).count()
                + " individuals=" + union.individualsInSignature(Imports.INCLUDED).count()
                + " violations=" + problems.size());
        System.exit(problems.isEmpty() ? 0 : 1);
    }
}
