// `winback <group> <command> [...options]`: dispatches to scripts/commands/<group>-<command>.ts,
// each exporting `run(args): Promise<number>` (the exit code).
const COMMANDS: Record<string, () => Promise<{ run(args: string[]): Promise<number> }>> = {
  "models fit": () => import("./commands/models-fit"),
  "import csv": () => import("./commands/import-csv"),
};

export async function main(argv: string[]): Promise<number> {
  const key = argv.slice(0, 2).join(" ");
  const load = COMMANDS[key];
  if (!load) {
    process.stderr.write(`usage: winback <command>\ncommands:\n${Object.keys(COMMANDS).map((c) => `  ${c}`).join("\n")}\n`);
    return 2;
  }
  const command = await load();
  return command.run(argv.slice(2));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
