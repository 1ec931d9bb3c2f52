import { openRelationalStore } from "@vigil/db";
import { createNeo4jGraph } from "@vigil/graph-model";
import { testServices } from "../../../test-support/services.ts";
import { personalDataCases } from "./personal-data.cases.ts";

personalDataCases("PostgreSQL + Neo4j", async () => ({
  store: await openRelationalStore({ databaseUrl: testServices.postgresUrl }),
  graph: createNeo4jGraph(testServices.neo4j),
}));
