console.log("vigil", process.argv.slice(2).join(" "));
