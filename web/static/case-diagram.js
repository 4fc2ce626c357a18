// Draws the case's current cycle with bpmn-js: where the case waits, and the path it has taken.
document.addEventListener('DOMContentLoaded', async () => {
  for (const source of document.querySelectorAll('script.diagramm-xml')) {
    const container = document.getElementById(source.dataset.for);
    const viewer = new BpmnJS({ container });
    try {
      await viewer.importXML(JSON.parse(source.textContent));
    } catch (error) {
      container.textContent = 'Das Diagramm konnte nicht angezeigt werden: ' + error.message;
      container.dataset.status = 'fehler';
      continue;
    }
    const canvas = viewer.get('canvas');
    const registry = viewer.get('elementRegistry');
    const mark = (ids, marker) => ids.split(' ').filter((id) => id && registry.get(id)).forEach((id) => canvas.addMarker(id, marker));
    mark(container.dataset.passed, 'durchlaufen');
    mark(container.dataset.waiting, 'wartet');
    canvas.zoom('fit-viewport');
    container.dataset.status = 'geladen';
  }
});
