/**
 * How MedcomService builds and checks each letter (a LetterComposer: MessageComposer.compose). The
 * module gives it the adapter's composer on the event loop; tests may wrap one to see each compose.
 */
export const LETTER_COMPOSER = Symbol('LETTER_COMPOSER');
