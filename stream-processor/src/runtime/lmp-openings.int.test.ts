import { createNeo4jGraph } from "@vigil/graph-model";
import { testServices } from "../../../test-support/services.ts";
import { lmpOpeningCases } from "./lmp-openings.cases.ts";

lmpOpeningCases("Neo4j", () => createNeo4jGraph(testServices.neo4j));
