import { buildXdis91 } from '../xdis91.builder';
import { invalidLetter, MedcomFormat } from './medcom-format';

/** OIOXML XDIS91 (MedCom's "Korrespondancemeddelelse"), ISO-8859-1, checked against schemas/xdis91.xsd. */
export const xdis91Format: MedcomFormat<'xdis91'> = {
  name: 'xdis91',
  receiptFamily: 'oioxml',
  idStyle: 'short',
  latin1Only: true,
  envelopable: false,
  async build(letter, ctx) {
    const built = buildXdis91(letter, { maxBlockChars: ctx.xdis91BlockChars });
    const problems = await ctx.xdis91Validator.validate(built.bytes);
    if (problems.length) throw invalidLetter(letter.letterId, 'XDIS91 (schemas/xdis91.xsd)', problems);
    return {
      bytes: built.bytes,
      extension: 'xml',
      replacedChars: built.replacedChars,
      replacedList: built.replacedList,
      transliteratedList: built.transliteratedList,
    };
  },
};
