import { EdocCodeLists, remoteCode } from '../../../adapters/edoc/edoc.code-lists';
import { readItemList } from '../../../adapters/edoc/edoc.mapper';

describe('eDoc code lists against GetItemList', () => {
  it('reads an entry whatever its group: <Group>Id or <Group>Code as the code, …Name / FileExtension / Mimetype as names', () => {
    expect(remoteCode('DocumentType', { DocumentTypeId: '60005', DocumentTypeName: 'Notat' })).toEqual({ code: '60005', names: ['Notat'] });
    expect(
      remoteCode('ArchiveFormat', { ArchiveFormatCode: '12', ArchiveFormatFileExtension: 'PDF', ArchiveFormatMimetype: 'application/pdf' }),
    ).toEqual({
      code: '12',
      names: ['PDF', 'application/pdf'],
    });
    // The prefix-stripped names an older public client produced (Code, Name) read the same way.
    expect(remoteCode('DocumentStatusCode', { Id: '6', Name: 'Endelig' })).toEqual({ code: '6', names: ['Endelig'] });
    expect(remoteCode('DocumentType', { DocumentTypeName: 'uden kode' })).toBeUndefined();
  });

  it('parses any list two levels under Root, one entry or many, and skips empty groups', () => {
    const one = readItemList(
      '<Root xmlns:x="urn:x"><x:DocumentTypes><x:DocumentType><x:DocumentTypeId>1</x:DocumentTypeId><x:DocumentTypeName>A &amp; B</x:DocumentTypeName></x:DocumentType></x:DocumentTypes></Root>',
    );
    expect(one).toEqual([{ DocumentTypeId: '1', DocumentTypeName: 'A & B' }]);
    expect(readItemList('<Root><CaseWorkers/></Root>')).toEqual([]);
    expect(readItemList('<Root/>')).toEqual([]);
  });

  it('verifies names case-insensitively, reports missing and different codes, and refuses only those names', () => {
    const codes = new EdocCodeLists({
      documentTypes: { Notat: '60005', 'Indgående dokument': '110' },
      documentStatuses: { Endelig: '6' },
      archiveFormats: { PDF: '12' },
    });
    const mismatches = codes.verify({
      documentTypes: [
        { code: '60005', names: ['NOTAT'] },
        { code: '111', names: ['Indgående dokument'] },
      ],
      documentStatuses: [],
      // archiveFormats not delivered: not judged
    });
    expect(mismatches).toEqual([
      { list: 'documentTypes', name: 'Indgående dokument', configured: '110', edoc: '111' },
      { list: 'documentStatuses', name: 'Endelig', configured: '6' },
    ]);
    expect(codes.documentType('notat')).toBe('60005');
    expect(() => codes.documentType('indgående dokument')).toThrow(
      expect.objectContaining({ code: 'EDOC_CODE_MISMATCH', errorClass: 'permanent' }),
    );
    expect(() => codes.documentStatus('Endelig')).toThrow(expect.objectContaining({ code: 'EDOC_CODE_MISMATCH' }));
    expect(codes.archiveFormat('PDF')).toBe('12');
    // A later check that finds them right lifts the refusal.
    expect(
      codes.verify({
        documentTypes: [
          { code: '110', names: ['Indgående dokument'] },
          { code: '60005', names: ['Notat'] },
        ],
        documentStatuses: [{ code: '6', names: ['Endelig'] }],
      }),
    ).toEqual([]);
    expect(codes.documentType('Indgående dokument')).toBe('110');
  });
});
