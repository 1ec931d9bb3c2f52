import { createNeo4jGraph } from "@vigil/graph-model";
import { testServices } from "../../../test-support/services.ts";
import { sessionExpiryCases } from "./session-expiry.cases.ts";

sessionExpiryCases("Neo4j", () => createNeo4jGraph(testServices.neo4j));
