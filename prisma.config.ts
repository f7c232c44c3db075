// Prisma CLI configuration (Prisma 7 reads the connection URL from here, not from schema.prisma).
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://tabula@localhost:5432/tabula" },
});
