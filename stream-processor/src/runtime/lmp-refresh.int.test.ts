import { createNeo4jGraph } from "@vigil/graph-model";
import { testServices } from "../../../test-support/services.ts";
import { lmpRefreshCases } from "./lmp-refresh.cases.ts";

lmpRefreshCases("Neo4j", () => createNeo4jGraph(testServices.neo4j));
