kubectl run hi --image=busybox --restart=Never -- echo hi
kubectl logs hi
sleep 10
kubectl logs hi
kubectl logs hi --timestamps
kubectl logs pod/hi --prefix
kubectl logs hi -c nope
kubectl logs hi --previous
kubectl logs nope
kubectl logs
kubectl create deployment web --image=nginx --replicas=3
sleep 10
kubectl logs deploy/web --tail=2
kubectl logs -l app=web --prefix --tail=1
kubectl logs -l app=web --all-containers --since=1s
kubectl logs -f hi
kubectl run loop --image=busybox -- sh -c 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 1; done'
sleep 10
kubectl logs loop --tail=3
