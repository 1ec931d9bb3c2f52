import { createNeo4jGraph } from "@vigil/graph-model";
import { testServices } from "../../../test-support/services.ts";
import { sharpHoundImportCases } from "./sharphound-import.cases.ts";

sharpHoundImportCases("Neo4j", () => createNeo4jGraph(testServices.neo4j));
