/**
 * The floor of the scan benchmark: unzip entities.xml and stream it through a bare SAX parser (the same
 * saxes, with the same options as the readers) that only counts elements. Prints the count.
 */
import { SaxesParser } from 'saxes';
import { openBackup } from '../sources/backup-file.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node floor.js BACKUP.zip\n');
  process.exit(2);
}
const backup = await openBackup(file);
const stream = await backup.entities.open();
stream.setEncoding('utf8');
const parser = new SaxesParser({ position: true, fileName: backup.entities.displayName });
let elements = 0;
parser.on('opentag', () => {
  elements++;
});
for await (const chunk of stream) parser.write(chunk as string);
parser.close();
backup.close();
process.stdout.write(`${elements}\n`);
