// Swedish for the rich editor (django-prose-editor reads window.gettext for its dialogs; the
// toolbar's titles are translated by section_editor.js with the same words).
(function () {
  var sv = {
    "paragraph": "Stycke", "Paragraph": "Stycke", "Heading 3": "Rubrik", "Heading 4": "Underrubrik",
    "unordered list": "Punktlista", "ordered list": "Numrerad lista", "List properties": "Listans inställningar",
    "blockquote": "Citat", "bold": "Fet", "italic": "Kursiv", "insert link": "Infoga länk",
    "remove link": "Ta bort länk", "Insert table": "Infoga tabell", "Add column": "Lägg till kolumn",
    "Delete column": "Ta bort kolumn", "Add row": "Lägg till rad", "Delete row": "Ta bort rad",
    "Merge cells": "Slå ihop celler", "Split cell": "Dela cell", "Toggle header cell": "Rubrikcell av/på",
    "Delete table": "Ta bort tabell", "undo": "Ångra", "redo": "Gör om",
    "URL": "Adress (URL)", "Title": "Titel", "Open in new window": "Öppna i nytt fönster",
    "Cancel": "Avbryt", "Update": "Uppdatera", "Insert": "Infoga", "Edit Link": "Ändra länk",
    "Insert Table": "Infoga tabell", "Rows": "Rader", "Columns": "Kolumner",
    "Include header row": "Med rubrikrad", "List type": "Typ av lista", "Bullets": "Punkter",
    "Decimal numbers": "Siffror", "Lowercase letters": "Små bokstäver", "Uppercase letters": "Stora bokstäver",
    "Lowercase Roman numerals": "Små romerska siffror", "Uppercase Roman numerals": "Stora romerska siffror",
    "Start at": "Börja på", "Table Properties": "Tabellens inställningar"
  };
  window.gettext = function (text) { return sv[text] || text; };
})();
